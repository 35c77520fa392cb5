import { MIGRATIONS } from '../../src/database/migrations.js';
import { VERIFIED_KEY_TTL_MS } from '../../src/apps/verified-key-cache.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../support/postgres.js';
import type { TestApp } from '../support/test-app.js';
import { admin, dbOf, getAppSettings, startAppsTestApp, type KeyBody } from './apps-kit.js';

/** Two replicas of the service sharing one database, as in production behind a load balancer. */
describe('app keys on the voicebox routes', () => {
  let pgs: TestPostgres;
  let replicaA: TestApp;
  let replicaB: TestApp;
  let appId: string;

  beforeAll(async () => {
    pgs = await startTestPostgres();
    const env = await pgs.freshDatabaseEnv();
    // Started together: both run the migrations at once, serialised by the advisory lock.
    [replicaA, replicaB] = await Promise.all([startAppsTestApp(env), startAppsTestApp(env)]);
    const app = await admin<{ id: string }>(replicaA.app, 'POST', '/api/v1/admin/apps', {
      name: 'sales-assistant',
      database: 'sales',
      model: 'sales-model',
      named_graphs: ['urn:example:sales:2025'],
    });
    appId = app.body.id;
  });
  afterAll(async () => {
    await Promise.all([replicaA?.close(), replicaB?.close()]);
    await pgs?.stop();
  });

  const issue = async (name: string, expiresAt?: string) =>
    (
      await admin<KeyBody>(replicaA.app, 'POST', `/api/v1/admin/apps/${appId}/keys`, {
        name,
        expires_at: expiresAt,
      })
    ).body;

  it('applied the schema once although both replicas migrated at the same time', async () => {
    const { rows } = await dbOf(replicaB).query(
      'SELECT version, name FROM schema_migrations ORDER BY version',
    );
    expect(rows).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
  });

  it("returns the key's app settings in the contract's shape, on either replica", async () => {
    const key = await issue('web');
    for (const replica of [replicaA, replicaB]) {
      const res = await getAppSettings(replica.app, key.key!);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        name: 'sales-assistant',
        database: 'sales',
        model: 'sales-model',
        named_graphs: ['urn:example:sales:2025'],
        reasoning: false,
      });
    }
  });

  it('refuses missing, malformed and unknown keys with 401', async () => {
    const key = (await issue('probe')).key!;
    const unknown = `sdc_${'A'.repeat(43)}`;
    const tampered = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    for (const auth of [
      undefined,
      'Bearer',
      `Basic ${key}`,
      'Bearer sdc_short',
      `Bearer ${unknown}`,
      `Bearer ${tampered}`,
    ]) {
      const res = await replicaB.app.inject({
        method: 'GET',
        url: '/api/v1/app',
        headers: auth ? { authorization: auth } : {},
      });
      expect(res.statusCode, String(auth)).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    }
  });

  it('refuses a key at its expiry, and within one second when its expiry is moved earlier', async () => {
    const soon = await issue('expires-soon', new Date(Date.now() + 1500).toISOString());
    expect((await getAppSettings(replicaB.app, soon.key!)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    expect((await getAppSettings(replicaB.app, soon.key!)).status).toBe(401);

    const key = await issue('short-lived', new Date(Date.now() + 60_000).toISOString());
    expect((await getAppSettings(replicaB.app, key.key!)).status).toBe(200);
    await dbOf(replicaA).query(
      "UPDATE app_keys SET expires_at = now() - interval '1 second' WHERE id = $1",
      [key.id],
    );
    const movedAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - movedAt < 1000) {
      status = (await getAppSettings(replicaB.app, key.key!)).status;
    }
    expect(status).toBe(401);
  });

  it('refuses a key revoked on one replica within one second on the other', async () => {
    const key = await issue('to-revoke');
    expect((await getAppSettings(replicaB.app, key.key!)).status).toBe(200);
    const revoked = await admin(
      replicaA.app,
      'DELETE',
      `/api/v1/admin/apps/${appId}/keys/${key.id}`,
    );
    expect(revoked.status).toBe(204);
    const revokedAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < 1000) {
      status = (await getAppSettings(replicaB.app, key.key!)).status;
    }
    expect(status).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(1000);
  });

  it('records last use at most once a minute per key', async () => {
    const key = await issue('busy');
    const lastUsed = async () =>
      (
        await dbOf(replicaA).query<{ last_used_at: Date | null }>(
          'SELECT last_used_at FROM app_keys WHERE id = $1',
          [key.id],
        )
      ).rows[0].last_used_at;
    expect(await lastUsed()).toBeNull();
    await getAppSettings(replicaA.app, key.key!);
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    for (let i = 0; i < 5; i++) await getAppSettings(i % 2 ? replicaA.app : replicaB.app, key.key!);
    expect(await lastUsed()).toEqual(first);
    // A minute later (moved back in the database), the next use writes again.
    await dbOf(replicaA).query(
      "UPDATE app_keys SET last_used_at = now() - interval '61 seconds' WHERE id = $1",
      [key.id],
    );
    const aged = await lastUsed();
    // Use is recorded on a database lookup; a verification kept in the cache makes none.
    await new Promise((r) => setTimeout(r, VERIFIED_KEY_TTL_MS));
    await getAppSettings(replicaB.app, key.key!);
    expect((await lastUsed())!.getTime()).toBeGreaterThan(aged!.getTime());
    const listed = await admin<KeyBody[]>(replicaB.app, 'GET', `/api/v1/admin/apps/${appId}/keys`);
    expect(listed.body.find((k) => k.id === key.id)!.last_used_at).not.toBeNull();
  });
});
