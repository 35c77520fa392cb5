import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../support/postgres.js';
import type { TestApp } from '../support/test-app.js';
import {
  admin,
  dbOf,
  fieldsOf,
  getAppSettings,
  startAppsTestApp,
  type AppBody,
  type KeyBody,
} from './apps-kit.js';

const APPS = '/api/v1/admin/apps';
const UNKNOWN = '6f1c0a52-1111-4c8e-9a3e-000000000000';

describe('admin API: Voicebox apps and their keys', () => {
  let pgs: TestPostgres;
  let t: TestApp;
  let connectionId: string;

  beforeAll(async () => {
    pgs = await startTestPostgres();
    t = await startAppsTestApp(await pgs.freshDatabaseEnv());
    const conn = await admin<{ id: string }>(t.app, 'POST', '/api/v1/admin/connections', {
      name: 'kg',
      kind: 'sparql',
      endpoint: 'http://127.0.0.1:7878/query',
      credential: { kind: 'none' },
    });
    connectionId = conn.body.id;
  });
  afterAll(async () => {
    await t?.close();
    await pgs?.stop();
  });

  let seq = 0;
  const newApp = (extra: object = {}) =>
    admin<AppBody>(t.app, 'POST', APPS, { name: `app-${++seq}`, database: 'sales', ...extra });
  const countApps = async () =>
    Number((await dbOf(t).query<{ n: string }>('SELECT count(*) AS n FROM apps')).rows[0].n);
  const rowOf = async (id: string) =>
    (await dbOf(t).query('SELECT * FROM apps WHERE id = $1', [id])).rows[0] as unknown;

  it('creates an app with defaults, and one binding a connection, model, graphs and reasoning', async () => {
    const plain = await newApp();
    expect(plain.status).toBe(201);
    expect(plain.body).toMatchObject({
      connection_id: null,
      database: 'sales',
      model: null,
      named_graphs: [],
      reasoning: false,
    });
    const full = await newApp({
      connection_id: connectionId,
      model: 'sales-model',
      named_graphs: ['urn:example:g1', 'https://example.com/g2'],
      reasoning: true,
    });
    expect(full.status).toBe(201);
    expect(full.body).toMatchObject({
      connection_id: connectionId,
      model: 'sales-model',
      named_graphs: ['urn:example:g1', 'https://example.com/g2'],
      reasoning: true,
    });
    const got = await admin<AppBody>(t.app, 'GET', `${APPS}/${full.body.id}`);
    expect(got.body).toEqual(full.body);
    const list = await admin<AppBody[]>(t.app, 'GET', APPS);
    expect(list.body.map((a) => a.id)).toEqual(
      expect.arrayContaining([plain.body.id, full.body.id]),
    );
  });

  it('refuses invalid apps with 400 naming the fields, unknown connections too; stores nothing', async () => {
    const before = await countApps();
    const bad = await admin(t.app, 'POST', APPS, {
      name: '',
      named_graphs: ['not an iri'],
      reasoning: 'yes',
      connection_id: 'abc',
    });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body)).toEqual([
      'connection_id',
      'database',
      'name',
      'named_graphs',
      'reasoning',
    ]);
    const unknownConn = await newApp({ connection_id: UNKNOWN });
    expect(unknownConn.status).toBe(400);
    expect(fieldsOf(unknownConn.body as never)).toEqual(['connection_id']);
    expect(await countApps()).toBe(before);
  });

  it('refuses a duplicate app name with 409', async () => {
    const first = await newApp();
    const before = await countApps();
    const again = await admin(t.app, 'POST', APPS, { name: first.body.name, database: 'x' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('app.name_taken');
    expect(await countApps()).toBe(before);
  });

  it('answers 404 for unknown app ids on every route', async () => {
    for (const [method, url, payload] of [
      ['GET', `${APPS}/${UNKNOWN}`],
      ['GET', `${APPS}/nope`],
      ['PATCH', `${APPS}/${UNKNOWN}`, { database: 'x' }],
      ['DELETE', `${APPS}/${UNKNOWN}`],
      ['POST', `${APPS}/${UNKNOWN}/keys`, { name: 'k' }],
      ['GET', `${APPS}/${UNKNOWN}/keys`],
      ['DELETE', `${APPS}/${UNKNOWN}/keys/${UNKNOWN}`],
    ] as const) {
      const res = await admin(t.app, method, url, payload);
      expect(res.status, `${method} ${url}`).toBe(404);
    }
  });

  it('patches an app; the key sees the new settings at once', async () => {
    const made = await newApp();
    const key = await admin<KeyBody>(t.app, 'POST', `${APPS}/${made.body.id}/keys`, { name: 'k' });
    const res = await admin<AppBody>(t.app, 'PATCH', `${APPS}/${made.body.id}`, {
      database: 'finance',
      named_graphs: ['urn:g:finance'],
      reasoning: true,
      connection_id: connectionId,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      database: 'finance',
      reasoning: true,
      connection_id: connectionId,
    });
    const settings = await getAppSettings(t.app, key.body.key!);
    expect(settings.body).toEqual({
      name: made.body.name,
      database: 'finance',
      model: '',
      named_graphs: ['urn:g:finance'],
      reasoning: true,
    });
    const detached = await admin<AppBody>(t.app, 'PATCH', `${APPS}/${made.body.id}`, {
      connection_id: null,
    });
    expect(detached.body.connection_id).toBeNull();
  });

  it('leaves the row as it was when a PATCH is refused (400, 409)', async () => {
    const made = await newApp({ named_graphs: ['urn:g:1'] });
    const other = await newApp();
    const before = await rowOf(made.body.id);
    const url = `${APPS}/${made.body.id}`;
    const bad = await admin(t.app, 'PATCH', url, {
      database: '',
      named_graphs: ['x y'],
      name: 'n',
    });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body)).toEqual(['database', 'named_graphs']);
    const unknownConn = await admin(t.app, 'PATCH', url, { connection_id: UNKNOWN });
    expect(unknownConn.status).toBe(400);
    const clash = await admin(t.app, 'PATCH', url, { name: other.body.name });
    expect(clash.status).toBe(409);
    expect(await rowOf(made.body.id)).toEqual(before);
  });

  it('issues a key shown once (201), stored only as its SHA-256, listed without the secret', async () => {
    const made = await newApp();
    const expires = new Date(Date.now() + 86_400_000).toISOString();
    const res = await admin<KeyBody>(t.app, 'POST', `${APPS}/${made.body.id}/keys`, {
      name: 'web',
      expires_at: expires,
    });
    expect(res.status).toBe(201);
    const key = res.body.key!;
    expect(key).toMatch(/^sdc_[A-Za-z0-9_-]{43}$/);
    expect(res.body).toMatchObject({ name: 'web', prefix: key.slice(0, 12), expires_at: expires });
    const { rows } = await dbOf(t).query<{ key_hash: Buffer }>(
      'SELECT * FROM app_keys WHERE id = $1',
      [res.body.id],
    );
    expect(JSON.stringify(rows)).not.toContain(key);
    expect(rows[0].key_hash.equals(createHash('sha256').update(key).digest())).toBe(true);
    const list = await admin<KeyBody[]>(t.app, 'GET', `${APPS}/${made.body.id}/keys`);
    expect(list.status).toBe(200);
    expect(list.raw).not.toContain(key);
    expect(list.body).toEqual([
      {
        id: res.body.id,
        name: 'web',
        prefix: key.slice(0, 12),
        created_at: res.body.created_at,
        expires_at: expires,
        last_used_at: null,
        revoked_at: null,
      },
    ]);
    expect(t.logs.text).not.toContain(key);
  });

  it('refuses invalid key requests with 400 and creates no key', async () => {
    const made = await newApp();
    const url = `${APPS}/${made.body.id}/keys`;
    for (const [payload, field] of [
      [{}, 'name'],
      [{ name: 'k', expires_at: 'tomorrow' }, 'expires_at'],
      [{ name: 'k', expires_at: '2020-01-01T00:00:00Z' }, 'expires_at'],
    ] as const) {
      const res = await admin(t.app, 'POST', url, payload);
      expect(res.status, JSON.stringify(payload)).toBe(400);
      expect(fieldsOf(res.body)).toEqual([field]);
    }
    expect((await admin<KeyBody[]>(t.app, 'GET', url)).body).toEqual([]);
  });

  it("revokes a key (204), idempotently; another app's key id is 404 and stays valid", async () => {
    const a = await newApp();
    const b = await newApp();
    const keyA = await admin<KeyBody>(t.app, 'POST', `${APPS}/${a.body.id}/keys`, { name: 'a' });
    const keyB = await admin<KeyBody>(t.app, 'POST', `${APPS}/${b.body.id}/keys`, { name: 'b' });
    const cross = await admin(t.app, 'DELETE', `${APPS}/${a.body.id}/keys/${keyB.body.id}`);
    expect(cross.status).toBe(404);
    expect((await getAppSettings(t.app, keyB.body.key!)).status).toBe(200);

    expect((await getAppSettings(t.app, keyA.body.key!)).status).toBe(200);
    const revoked = await admin(t.app, 'DELETE', `${APPS}/${a.body.id}/keys/${keyA.body.id}`);
    expect(revoked.status).toBe(204);
    expect((await getAppSettings(t.app, keyA.body.key!)).status).toBe(401);
    const again = await admin(t.app, 'DELETE', `${APPS}/${a.body.id}/keys/${keyA.body.id}`);
    expect(again.status).toBe(204);
    const list = await admin<KeyBody[]>(t.app, 'GET', `${APPS}/${a.body.id}/keys`);
    expect(list.body[0].revoked_at).not.toBeNull();
  });

  it('deletes an app (204) with its keys, which stop working', async () => {
    const made = await newApp();
    const key = await admin<KeyBody>(t.app, 'POST', `${APPS}/${made.body.id}/keys`, { name: 'k' });
    expect((await getAppSettings(t.app, key.body.key!)).status).toBe(200);
    const res = await admin(t.app, 'DELETE', `${APPS}/${made.body.id}`);
    expect(res.status).toBe(204);
    expect((await admin(t.app, 'GET', `${APPS}/${made.body.id}`)).status).toBe(404);
    expect((await getAppSettings(t.app, key.body.key!)).status).toBe(401);
    const keys = await dbOf(t).query('SELECT 1 FROM app_keys WHERE app_id = $1', [made.body.id]);
    expect(keys.rowCount).toBe(0);
  });

  it('documents the admin routes and GET /api/v1/app in the OpenAPI document', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/docs/openapi.json' });
    const doc = res.json<{
      paths: Record<string, Record<string, { security?: Array<Record<string, string[]>> }>>;
    }>();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/admin/connections',
        '/api/v1/admin/connections/{id}',
        '/api/v1/admin/apps',
        '/api/v1/admin/apps/{id}',
        '/api/v1/admin/apps/{id}/keys',
        '/api/v1/admin/apps/{id}/keys/{keyId}',
        '/api/v1/app',
      ]),
    );
    expect(doc.paths['/api/v1/app'].get.security).toEqual(
      expect.arrayContaining([{ 'app-key': [], 'X-Client-Id': [] }]),
    );
    // VOICEBOX_ADMIN_TOKEN without JWT_*: the admin token is the one way in on this deployment.
    expect(doc.paths['/api/v1/admin/apps'].post.security).toEqual([{ 'admin-token': [] }]);
  });
});
