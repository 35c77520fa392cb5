import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LogLevel } from '../config/app-config.js';
import { LogCapture } from '../../test/support/log-capture.js';
import { createRootLogger, isoTimeOncePerMs } from './logger.factory.js';

function captured(type: 'JSON' | 'TEXT' = 'JSON', level: LogLevel = 'INFO') {
  const sink = new LogCapture();
  const log = createRootLogger({ type, level, secretValues: [], destination: sink });
  return { sink, log };
}

describe('isoTimeOncePerMs', () => {
  afterEach(() => vi.restoreAllMocks());

  it('gives the current millisecond as pino’s isoTime does, formatted again when it changes', () => {
    const now = vi.spyOn(Date, 'now').mockReturnValue(Date.UTC(2026, 11, 5, 10, 0, 0, 1));
    expect(isoTimeOncePerMs()).toBe(',"time":"2026-12-05T10:00:00.001Z"');
    expect(isoTimeOncePerMs()).toBe(',"time":"2026-12-05T10:00:00.001Z"');
    now.mockReturnValue(Date.UTC(2026, 11, 5, 10, 0, 0, 2));
    expect(isoTimeOncePerMs()).toBe(',"time":"2026-12-05T10:00:00.002Z"');
  });

  it('stamps each line with the time it was written', () => {
    const { sink, log } = captured();
    const before = Date.now();
    log.info('first');
    const after = Date.now();
    const time = Date.parse(sink.json()[0].time as string);
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(after);
  });
});

describe('createRootLogger', () => {
  it('writes one JSON object a line with level names, for LOG_TYPE=JSON', () => {
    const { sink, log } = captured();
    log.info({ route: '/x' }, 'hello');
    expect(sink.json()[0]).toMatchObject({
      level: 'info',
      msg: 'hello',
      route: '/x',
      service: 'voicebox',
    });
  });

  it('writes readable text for LOG_TYPE=TEXT', () => {
    const { sink, log } = captured('TEXT');
    log.info({ route: '/x' }, 'hello');
    expect(sink.lines[0]).toMatch(/INFO.*hello/);
    expect(() => JSON.parse(sink.lines[0]) as unknown).toThrow();
  });

  it.each([
    ['DEBUG', ['debug', 'info', 'warn', 'error']],
    ['INFO', ['info', 'warn', 'error']],
    ['WARNING', ['warn', 'error']],
    ['ERROR', ['error']],
  ] as const)('LOG_LEVEL=%s writes only %j', (level, expected) => {
    const { sink, log } = captured('JSON', level);
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(sink.json().map((l) => l.level)).toEqual(expected);
  });

  it('scrubs secret settings and token shapes from messages, in JSON and in TEXT', () => {
    for (const type of ['JSON', 'TEXT'] as const) {
      const sink = new LogCapture();
      const log = createRootLogger({
        type,
        level: 'INFO',
        secretValues: ['s3cr3t-client-secret'],
        destination: sink,
      });
      log.error(
        { err: new Error('upstream refused s3cr3t-client-secret') },
        'call with sdc_AbCdEf123456 to postgres://vbx:pg-password@db:5432/vbx failed',
      );
      expect(sink.text).not.toMatch(/s3cr3t-client-secret|AbCdEf123456|pg-password/);
      expect(sink.text).toContain('postgres://vbx:[REDACTED]@db:5432/vbx');
    }
  });

  it('scrubs token shapes in any case, and leaves a line without one as it was', () => {
    const sink = new LogCapture();
    const log = createRootLogger({
      type: 'JSON',
      level: 'INFO',
      secretValues: [],
      destination: sink,
    });
    log.warn('upstream said: BEARER abcdef123456 and eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl');
    log.info({ route: '/system/health', status: 204 }, 'request');
    expect(sink.text).not.toMatch(/abcdef123456|eyJhbGciOi/);
    expect(sink.text).toContain('BEARER [REDACTED]');
    expect(sink.text).toContain('[REDACTED_JWT]');
    expect(sink.json()[1]).toMatchObject({ route: '/system/health', status: 204, msg: 'request' });
  });

  it('censors credential fields at the places the service puts them', () => {
    const sink = new LogCapture();
    const log = createRootLogger({
      type: 'JSON',
      level: 'INFO',
      secretValues: [],
      destination: sink,
    });
    log.info(
      {
        password: 'pw-top-level',
        credential: { kind: 'basic', username: 'reader', password: 'pw-in-credential' },
        body: { client_secret: 'cs-in-body' },
        headers: { authorization: 'Token opaque-1234' },
      },
      'connection test',
    );
    const line = sink.json()[0];
    expect(line).toMatchObject({
      password: '[REDACTED]',
      credential: { kind: 'basic', username: 'reader', password: '[REDACTED]' },
      body: { client_secret: '[REDACTED]' },
      headers: { authorization: '[REDACTED]' },
    });
    expect(sink.text).not.toMatch(/pw-top-level|pw-in-credential|cs-in-body|opaque-1234/);
  });
});
