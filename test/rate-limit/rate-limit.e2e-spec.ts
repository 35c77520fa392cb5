import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../support/postgres.js';
import type { TestApp } from '../support/test-app.js';
import { admin, dbOf, startAppsTestApp, type KeyBody } from '../apps/apps-kit.js';

const WINDOW_SECONDS = 60;

function getApp(app: NestFastifyApplication, key: string, clientId: string) {
  return app.inject({
    method: 'GET',
    url: '/api/v1/app',
    headers: { authorization: `Bearer ${key}`, 'x-client-id': clientId },
  });
}

/** Two replicas sharing one PostgreSQL: the limits are counted there, not per process. */
describe('rate limits per app key and per client id', () => {
  let pgs: TestPostgres;
  let replicaA: TestApp;
  let replicaB: TestApp;
  let appId: string;

  beforeAll(async () => {
    pgs = await startTestPostgres();
    const env = {
      ...(await pgs.freshDatabaseEnv()),
      VOICEBOX_RATE_LIMIT_PER_KEY: '6',
      VOICEBOX_RATE_LIMIT_PER_CLIENT: '3',
      VOICEBOX_RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
    };
    [replicaA, replicaB] = await Promise.all([startAppsTestApp(env), startAppsTestApp(env)]);
    const app = await admin<{ id: string }>(replicaA.app, 'POST', '/api/v1/admin/apps', {
      name: 'limited',
      database: 'sales',
    });
    appId = app.body.id;
  });
  afterAll(async () => {
    await Promise.all([replicaA?.close(), replicaB?.close()]);
    await pgs?.stop();
  });

  const issue = async (name: string) =>
    (await admin<KeyBody>(replicaA.app, 'POST', `/api/v1/admin/apps/${appId}/keys`, { name })).body
      .key!;

  it('refuses a client over its limit with 429 and Retry-After, counted across replicas', async () => {
    const key = await issue('per-client');
    const statuses = [];
    for (const replica of [replicaA, replicaB, replicaA]) {
      statuses.push((await getApp(replica.app, key, 'alice')).statusCode);
    }
    expect(statuses).toEqual([200, 200, 200]);
    const refused = await getApp(replicaB.app, key, 'alice');
    expect(refused.statusCode).toBe(429);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect(refused.json()).toMatchObject({
      status: 429,
      code: 'rate_limit.exceeded',
      scope: 'client',
      limit: 3,
      window_seconds: WINDOW_SECONDS,
      request_id: refused.headers['x-request-id'],
    });
    expect(refused.json<{ message: string }>().message).toMatch(
      /^Too many requests for this client \(X-Client-Id\): 3 per 60 s; retry in \d+ s$/,
    );
    // Another end user of the same key is not affected.
    expect((await getApp(replicaA.app, key, 'bob')).statusCode).toBe(200);
  });

  it('refuses a key over its limit whichever client and replica asks', async () => {
    const key = await issue('per-key');
    const statuses = [];
    for (let i = 0; i < 8; i++) {
      const replica = i % 2 === 0 ? replicaA : replicaB;
      statuses.push((await getApp(replica.app, key, `user-${i}`)).statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
    const refused = await getApp(replicaA.app, key, 'user-new');
    expect(refused.json()).toMatchObject({ code: 'rate_limit.exceeded', scope: 'app_key' });
    expect(refused.headers['retry-after']).toBeDefined();
  });

  it('does not limit the probes or the admin API, and keeps one row per bucket and window', async () => {
    for (let i = 0; i < 10; i++) {
      expect((await replicaA.app.inject({ method: 'GET', url: '/system/health' })).statusCode).toBe(
        204,
      );
    }
    const { rows } = await dbOf(replicaB).query<{ bucket: string; hits: number }>(
      'SELECT bucket, hits FROM rate_limit_windows ORDER BY bucket',
    );
    const clientRows = rows.filter((r) => r.bucket.endsWith(':alice'));
    expect(clientRows).toEqual([{ bucket: `client:${appId}:alice`, hits: 4 }]);
  });
});

describe('rate limits by default', () => {
  it('are off: a key is never refused for its rate', async () => {
    const t = await startAppsTestApp({});
    try {
      const app = await admin<{ id: string }>(t.app, 'POST', '/api/v1/admin/apps', {
        name: 'unlimited',
        database: 'sales',
      });
      const key = await admin<KeyBody>(t.app, 'POST', `/api/v1/admin/apps/${app.body.id}/keys`, {
        name: 'k',
      });
      for (let i = 0; i < 30; i++) {
        expect((await getApp(t.app, key.body.key!, 'alice')).statusCode).toBe(200);
      }
      const { rows } = await dbOf(t).query('SELECT count(*)::int AS n FROM rate_limit_windows');
      expect(rows[0]).toEqual({ n: 0 });
    } finally {
      await t.close();
    }
  });
});
