import { afterEach, describe, expect, it } from 'vitest';
import { ReadinessService } from '../../src/health/readiness.service.js';
import { startTestApp, waitUntilReady, type TestApp } from '../support/test-app.js';

describe('readiness probe', () => {
  let t: TestApp | undefined;
  afterEach(() => t?.close());

  it('answers 503 until start-up has finished, then 200', async () => {
    t = await startTestApp({}, [], { markStarted: false });
    const readiness = t.app.get(ReadinessService);
    const before = await t.app.inject({ method: 'GET', url: '/system/ready' });
    expect(before.statusCode).toBe(503);
    expect(before.json()).toMatchObject({
      status: 'not_ready',
      checks: { startup: { ok: false, reason: 'starting' } },
    });
    readiness.markStarted();
    await waitUntilReady(t);
    readiness.markShuttingDown();
    const res = await t.app.inject({ method: 'GET', url: '/system/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      status: 'not_ready',
      checks: { shutdown: { ok: false, reason: 'shutting down' } },
    });
  });

  it('answers 503 naming the dependency whose check fails, and 200 once it recovers', async () => {
    t = await startTestApp();
    await waitUntilReady(t);
    let searchIndexUp = false;
    t.app
      .get(ReadinessService)
      .register('search_index', () =>
        searchIndexUp
          ? Promise.resolve()
          : Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')),
      );
    const down = await t.app.inject({ method: 'GET', url: '/system/ready' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({
      status: 'not_ready',
      checks: {
        startup: { ok: true },
        database: { ok: true },
        search_index: { ok: false, reason: 'connect ECONNREFUSED 127.0.0.1:5432' },
      },
    });
    // Liveness is unaffected: the process lives.
    expect((await t.app.inject({ method: 'GET', url: '/system/health' })).statusCode).toBe(204);
    searchIndexUp = true;
    expect((await t.app.inject({ method: 'GET', url: '/system/ready' })).statusCode).toBe(200);
  });

  it('treats a check that hangs as failing after its timeout', async () => {
    t = await startTestApp();
    t.app.get(ReadinessService).register('search_index', () => new Promise(() => undefined));
    const res = await t.app.inject({ method: 'GET', url: '/system/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      checks: { search_index: { ok: false, reason: 'no answer within 2000 ms' } },
    });
  });
});
