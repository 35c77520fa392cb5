import { Injectable, Module } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LivenessCheck, type LivenessProbe } from '../../src/common/readiness/liveness-check.js';
import { ReadinessService } from '../../src/health/readiness.service.js';
import { FixtureModule } from '../fixtures/fixture.module.js';
import { startTestApp, waitUntilReady, type TestApp } from '../support/test-app.js';

describe('HTTP basics: probes, request ids, request log, errors', () => {
  let t: TestApp;
  const SECRET_KEY = 'sk-live-very-secret-openai-key-123456';

  beforeAll(async () => {
    t = await startTestApp({ OPENAI_API_KEY: SECRET_KEY, VOICEBOX_BODY_LIMIT_BYTES: '2048' }, [
      FixtureModule,
    ]);
  });
  afterAll(() => t.close());

  it('answers 204 with no body on /system/health', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/system/health' });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
  });

  it('reports ready once started, with each check', async () => {
    expect(await waitUntilReady(t)).toEqual({
      status: 'ready',
      checks: { startup: { ok: true }, database: { ok: true }, knowledge_graph: { ok: true } },
    });
  });

  it('echoes a well-formed X-Request-Id and logs one line for the request with it', async () => {
    const before = performance.now();
    const res = await t.app.inject({
      method: 'GET',
      url: '/system/health',
      headers: { 'x-request-id': 'abc-123.x' },
    });
    expect(res.headers['x-request-id']).toBe('abc-123.x');
    const lines = t.logs.json().filter((l) => l.request_id === 'abc-123.x' && l.msg === 'request');
    expect(lines).toHaveLength(1);
    // A successful probe's line is written at DEBUG (this app's level); see 'probe lines' below.
    expect(lines[0]).toMatchObject({
      method: 'GET',
      route: '/system/health',
      status: 204,
      level: 'debug',
    });
    // The request's own time, measured inside the call that made it.
    expect(lines[0].duration_ms).toBeGreaterThan(0);
    expect(lines[0].duration_ms).toBeLessThanOrEqual(performance.now() - before);
  });

  it('replaces an unsafe X-Request-Id with a generated one', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/system/health',
      headers: { 'x-request-id': 'bad id\nwith newline' },
    });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 404 as JSON for an unknown route, counted as "unmatched"', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/no/such/route' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.json()).toMatchObject({
      status: 404,
      code: 'route.not_found',
      request_id: res.headers['x-request-id'],
    });
    const metrics = await t.scrapeMetrics();
    expect(metrics.body).toMatch(
      /voicebox_http_request_duration_seconds_count\{method="GET",route="unmatched",status_code="404"\} \d+/,
    );
  });

  it('answers 400 naming each bad field and the reason', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/echo',
      payload: { query: '', limit: 500, filter: { graph: 7 } },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json<{
      code: string;
      errors: Array<{ field: string; reason: string }>;
      message: string;
    }>();
    expect(body.code).toBe('request.invalid');
    const fields = body.errors.map((e) => e.field).sort();
    expect(fields).toEqual(['filter.graph', 'limit', 'query']);
    expect(body.errors.find((e) => e.field === 'limit')!.reason).toMatch(/100/);
    expect(body.message).toMatch(/query/);
  });

  it('accepts a valid body and refuses an unknown field by name', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/echo',
      payload: { query: 'who?', limit: 3 },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ query: 'who?', limit: 3 });
    const extra = await t.app.inject({
      method: 'POST',
      url: '/test/echo',
      payload: { query: 'who?', limit: 3, extra: 1 },
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.json()).toMatchObject({
      errors: [{ field: 'extra', reason: 'is not a known field' }],
    });
  });

  it('answers 400 with the parser reason for malformed JSON', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"query": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ status: 400, code: 'request.invalid_json' });
  });

  it('answers 413 for a body over the limit', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/echo',
      payload: { query: 'x'.repeat(4096) },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ status: 413, code: 'request.too_large' });
  });

  it('answers 415 for a content type the route does not take', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/xml' },
      payload: '<query>x</query>',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ status: 415, code: 'request.unsupported_media_type' });
  });

  it('maps a domain error to its status and headers', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/test/upstream-down' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toMatchObject({
      code: 'kg.unreachable',
      message: 'The knowledge graph is unreachable',
    });
  });

  it('hides an unexpected error behind a plain 500 and keeps credentials out of the log', async () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNlY3JldA';
    const res = await t.app.inject({
      method: 'GET',
      url: '/test/boom',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      message: 'Internal server error',
      code: 'internal',
      status: 500,
      request_id: res.headers['x-request-id'],
    });
    expect(res.body).not.toMatch(/database said no|at .*\.ts|stack/);
    // The error is logged (with its stack), but the token is not.
    expect(t.logs.text).toMatch(/database said no while using Bearer \[REDACTED\]/);
    expect(t.logs.text).not.toContain(token);
    expect(t.logs.text).not.toContain('c2lnbmF0dXJlLXNlY3JldA');
  });

  it('redacts credential headers and secret settings wherever they are logged', async () => {
    await t.app.inject({
      method: 'GET',
      url: '/test/log-headers',
      headers: {
        authorization: 'Bearer sdc_abcdefghijklmnop',
        'x-sd-auth-token': 'stardog-jwt-value-0001',
        'x-voicebox-app-key': 'sdc_qrstuvwxyz012345',
        cookie: 'session=cookie-value-0001',
        'x-custom': `leaked ${SECRET_KEY}`,
      },
    });
    const line = t.logs.json().find((l) => l.msg === 'fixture logged the request headers')!;
    const headers = line.headers as Record<string, string>;
    expect(headers.authorization).toBe('[REDACTED]');
    expect(headers['x-sd-auth-token']).toBe('[REDACTED]');
    expect(headers['x-voicebox-app-key']).toBe('[REDACTED]');
    expect(headers.cookie).toBe('[REDACTED]');
    expect(headers['x-custom']).toBe('leaked [REDACTED]');
    for (const secret of [
      'sdc_abcdefghijklmnop',
      'stardog-jwt-value-0001',
      'sdc_qrstuvwxyz012345',
      'cookie-value-0001',
      SECRET_KEY,
    ]) {
      expect(t.logs.text).not.toContain(secret);
    }
  });

  it('exposes Prometheus metrics for the process and for HTTP by route and status', async () => {
    await t.app.inject({ method: 'GET', url: '/system/health' });
    const res = await t.scrapeMetrics();
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/text\/plain/);
    expect(res.body).toMatch(/voicebox_process_cpu_user_seconds_total/);
    expect(res.body).toMatch(
      /voicebox_http_request_duration_seconds_count\{method="GET",route="\/system\/health",status_code="204"\} [1-9]/,
    );
    // Not beside the public API: the public port does not know the route.
    const publicPort = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(publicPort.statusCode).toBe(404);
    expect(res.body).toMatch(
      /voicebox_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/system\/health",status_code="204"\}/,
    );
  });
});

describe('access log sampling (VOICEBOX_ACCESS_LOG_SAMPLE_PERCENT, VOICEBOX_ACCESS_LOG_SLOW_MS)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(
      { VOICEBOX_ACCESS_LOG_SAMPLE_PERCENT: '25', VOICEBOX_ACCESS_LOG_SLOW_MS: '60000' },
      [FixtureModule],
    );
  });
  afterAll(() => t.close());

  const requestLines = (route: string) =>
    t.logs.json().filter((l) => l.msg === 'request' && l.route === route);

  it('writes a quarter of fast 2xx lines and every 4xx, while metrics count every request', async () => {
    for (let i = 0; i < 40; i++) await t.app.inject({ method: 'GET', url: '/system/health' });
    for (let i = 0; i < 5; i++) await t.app.inject({ method: 'GET', url: '/no/such/route' });
    expect(requestLines('/system/health')).toHaveLength(10);
    expect(requestLines('unmatched')).toHaveLength(5);
    expect((await t.scrapeMetrics()).body).toMatch(
      /voicebox_http_request_duration_seconds_count\{method="GET",route="\/system\/health",status_code="204"\} 40\n/,
    );
  });

  it('still logs through the request logger with the request id when a request has more to say', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/test/boom' });
    expect(res.statusCode).toBe(500);
    const lines = t.logs.json().filter((l) => l.request_id === res.headers['x-request-id']);
    expect(lines.map((l) => l.msg)).toEqual(['unhandled error', 'request']);
  });
});

/** A part the test can declare dead, so that /system/health answers 503. */
@Injectable()
@LivenessCheck('test_part')
class SwitchableLiveness implements LivenessProbe {
  dead = false;
  checkAlive(): string | undefined {
    return this.dead ? 'declared dead by the test' : undefined;
  }
}

@Module({ providers: [SwitchableLiveness] })
class SwitchableLivenessModule {}

describe('probe lines at LOG_LEVEL=INFO: successes at DEBUG, failures and slow probes as any request', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'INFO' }, [FixtureModule, SwitchableLivenessModule], {
      markStarted: false,
    });
  });
  afterAll(() => t.close());

  const linesOf = (route: string) =>
    t.logs.json().filter((l) => l.msg === 'request' && l.route === route);

  it('writes no line for a successful probe, an error line for each failed one, and counts all', async () => {
    // Not started yet: readiness fails, and that is logged.
    const notReady = await t.app.inject({ method: 'GET', url: '/system/ready' });
    expect(notReady.statusCode).toBe(503);
    t.app.get(ReadinessService).markStarted();
    for (let i = 0; i < 5; i++) {
      expect((await t.app.inject({ method: 'GET', url: '/system/health' })).statusCode).toBe(204);
      expect((await t.app.inject({ method: 'GET', url: '/system/ready' })).statusCode).toBe(200);
    }
    t.app.get(SwitchableLiveness).dead = true;
    const dead = await t.app.inject({ method: 'GET', url: '/system/health' });
    expect(dead.statusCode).toBe(503);

    expect(linesOf('/system/health')).toEqual([
      expect.objectContaining({
        status: 503,
        level: 'error',
        request_id: dead.headers['x-request-id'],
      }),
    ]);
    expect(linesOf('/system/ready')).toEqual([
      expect.objectContaining({ status: 503, level: 'error' }),
    ]);
    expect((await t.scrapeMetrics()).body).toMatch(
      /voicebox_http_request_duration_seconds_count\{method="GET",route="\/system\/health",status_code="204"\} 5\n/,
    );
  });

  it('still writes every other successful request at INFO', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/echo',
      payload: { query: 'q' },
    });
    expect(res.statusCode).toBeLessThan(300);
    expect(linesOf('/test/echo')).toEqual([
      expect.objectContaining({ status: res.statusCode, level: 'info' }),
    ]);
  });
});
