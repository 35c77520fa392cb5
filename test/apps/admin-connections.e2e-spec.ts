import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionsService } from '../../src/apps/connections.service.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres.js';
import type { TestApp } from '../support/test-app.js';
import {
  admin,
  dbOf,
  fieldsOf,
  startAppsTestApp,
  type AppBody,
  type ConnectionBody,
  type ErrorBody,
} from './apps-kit.js';

const BASE = '/api/v1/admin/connections';
const PASSWORD = 'stardog-password-9f8e7d6c';
const TOKEN = 'stardog-bearer-token-1a2b3c4d5e';

describe('admin API: knowledge-graph connections', () => {
  let pgs: TestPostgres;
  let t: TestApp;

  beforeAll(async () => {
    pgs = await startTestPostgres();
    t = await startAppsTestApp(await pgs.freshDatabaseEnv());
  });
  afterAll(async () => {
    await t?.close();
    await pgs?.stop();
  });

  const count = async () =>
    Number((await dbOf(t).query<{ n: string }>('SELECT count(*) AS n FROM connections')).rows[0].n);
  const create = (payload: object) => admin<ConnectionBody>(t.app, 'POST', BASE, payload);
  let seq = 0;
  const basic = () => ({
    name: `stardog-${++seq}`,
    kind: 'stardog',
    endpoint: 'https://stardog.example.com:5820',
    internal_endpoint: 'http://stardog.internal:5820',
    credential: { kind: 'basic', username: 'reader', password: PASSWORD },
  });

  it('creates a basic connection: 201, the secret stored encrypted and never returned', async () => {
    const res = await create(basic());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      kind: 'stardog',
      endpoint: 'https://stardog.example.com:5820',
      internal_endpoint: 'http://stardog.internal:5820',
      credential: { kind: 'basic', username: 'reader', has_secret: true },
    });
    expect(res.raw).not.toContain(PASSWORD);
    const { rows } = await dbOf(t).query<{ secret_encrypted: string }>(
      'SELECT secret_encrypted FROM connections WHERE id = $1',
      [res.body.id],
    );
    expect(rows[0].secret_encrypted).toMatch(/^v1\./);
    expect(rows[0].secret_encrypted).not.toContain(PASSWORD);
    expect(
      Buffer.from(rows[0].secret_encrypted.split('.')[3], 'base64url').toString(),
    ).not.toContain(PASSWORD);
    const listed = await admin<ConnectionBody[]>(t.app, 'GET', BASE);
    expect(listed.raw).not.toContain(PASSWORD);
    expect(t.logs.text).not.toContain(PASSWORD);
  });

  it('creates bearer, sso, none and embedded connections', async () => {
    const bearer = await create({
      name: 'sparql-bearer',
      kind: 'sparql',
      endpoint: 'http://127.0.0.1:7878/query',
      credential: { kind: 'bearer', token: TOKEN },
    });
    expect(bearer.status).toBe(201);
    expect(bearer.body.credential).toEqual({ kind: 'bearer', has_secret: true });
    expect(bearer.raw).not.toContain(TOKEN);
    const sso = await create({
      name: 'stardog-sso',
      kind: 'stardog',
      endpoint: 'https://sd.example.com',
      credential: { kind: 'sso' },
    });
    expect(sso.status).toBe(201);
    expect(sso.body.credential).toEqual({ kind: 'sso', has_secret: false });
    const embedded = await create({
      name: 'local',
      kind: 'embedded',
      credential: { kind: 'none' },
    });
    expect(embedded.status).toBe(201);
    expect(embedded.body).toMatchObject({ endpoint: 'embedded:', internal_endpoint: null });
  });

  it('refuses invalid bodies with 400 naming each field, and stores nothing', async () => {
    const before = await count();
    const empty = await create({});
    expect(empty.status).toBe(400);
    expect(fieldsOf(empty.body as unknown as ErrorBody)).toEqual(
      expect.arrayContaining(['credential', 'kind', 'name']),
    );
    const cases: Array<[object, string[]]> = [
      [{ ...basic(), credential: { kind: 'basic', username: 'u' } }, ['credential.password']],
      [{ ...basic(), credential: { kind: 'bearer' } }, ['credential.token']],
      [{ ...basic(), credential: { kind: 'sso', password: 'x' } }, ['credential.password']],
      [{ ...basic(), credential: { kind: 'kerberos' } }, ['credential.kind']],
      [{ ...basic(), endpoint: undefined }, ['endpoint']],
      [{ ...basic(), endpoint: 'ftp://x' }, ['endpoint']],
      [{ ...basic(), internal_endpoint: 'not a url' }, ['internal_endpoint']],
      [{ ...basic(), kind: 'graphdb' }, ['kind']],
      [{ ...basic(), kind: 'embedded', endpoint: 'http://x' }, ['endpoint', 'internal_endpoint']],
    ];
    for (const [payload, fields] of cases) {
      const res = await create(payload);
      expect(res.status, JSON.stringify(payload)).toBe(400);
      expect(fieldsOf(res.body as unknown as ErrorBody)).toEqual(fields);
    }
    expect(await count()).toBe(before);
  });

  it('refuses a duplicate name with 409 and stores nothing', async () => {
    const first = await create(basic());
    const before = await count();
    const again = await create({ ...basic(), name: first.body.name });
    expect(again.status).toBe(409);
    expect((again.body as unknown as ErrorBody).code).toBe('connection.name_taken');
    expect(await count()).toBe(before);
  });

  it('gets one connection and lists them; 404 for unknown or malformed ids', async () => {
    const made = await create(basic());
    const got = await admin<ConnectionBody>(t.app, 'GET', `${BASE}/${made.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(made.body);
    const list = await admin<ConnectionBody[]>(t.app, 'GET', BASE);
    expect(list.status).toBe(200);
    expect(list.body.map((c) => c.id)).toContain(made.body.id);
    for (const id of ['6f1c0a52-1111-4c8e-9a3e-000000000000', 'not-a-uuid']) {
      const res = await admin(t.app, 'GET', `${BASE}/${id}`);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('connection.not_found');
    }
  });

  it('patches fields, keeping the stored secret unless a credential is given', async () => {
    const made = await create(basic());
    const res = await admin<ConnectionBody>(t.app, 'PATCH', `${BASE}/${made.body.id}`, {
      endpoint: 'https://new.example.com',
      internal_endpoint: null,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      endpoint: 'https://new.example.com',
      internal_endpoint: null,
      credential: { kind: 'basic', username: 'reader', has_secret: true },
    });
    const app = await admin<AppBody>(t.app, 'POST', '/api/v1/admin/apps', {
      name: `uses-${made.body.id}`,
      database: 'db',
      connection_id: made.body.id,
    });
    const resolver = t.app.get(ConnectionsService);
    expect(await resolver.resolveForApp(app.body.id)).toEqual({
      id: made.body.id,
      kind: 'stardog',
      endpoint: 'https://new.example.com',
      internalEndpoint: null,
      credential: { kind: 'basic', username: 'reader', password: PASSWORD },
    });
    const swapped = await admin<ConnectionBody>(t.app, 'PATCH', `${BASE}/${made.body.id}`, {
      credential: { kind: 'bearer', token: TOKEN },
    });
    expect(swapped.status).toBe(200);
    expect(swapped.body.credential).toEqual({ kind: 'bearer', has_secret: true });
    expect((await resolver.resolveForApp(app.body.id))?.credential).toEqual({
      kind: 'bearer',
      token: TOKEN,
    });
  });

  it('leaves the row as it was when a PATCH is refused (400, 409, 404)', async () => {
    const made = await create(basic());
    const other = await create(basic());
    const url = `${BASE}/${made.body.id}`;
    const before = await dbOf(t).query('SELECT * FROM connections WHERE id = $1', [made.body.id]);
    const bad = await admin(t.app, 'PATCH', url, { endpoint: 'ftp://x', name: 'renamed' });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body)).toEqual(['endpoint']);
    const badCred = await admin(t.app, 'PATCH', url, { credential: { kind: 'basic' } });
    expect(badCred.status).toBe(400);
    expect(fieldsOf(badCred.body)).toEqual(['credential.password', 'credential.username']);
    const clash = await admin(t.app, 'PATCH', url, { name: other.body.name });
    expect(clash.status).toBe(409);
    const after = await dbOf(t).query('SELECT * FROM connections WHERE id = $1', [made.body.id]);
    expect(after.rows).toEqual(before.rows);
    const missing = await admin(t.app, 'PATCH', `${BASE}/6f1c0a52-1111-4c8e-9a3e-000000000000`, {
      name: 'x',
    });
    expect(missing.status).toBe(404);
  });

  it('refuses to delete a connection apps use (409 naming them), deletes an unused one (204)', async () => {
    const made = await create(basic());
    for (const name of ['beta-app', 'alpha-app']) {
      const res = await admin(t.app, 'POST', '/api/v1/admin/apps', {
        name,
        database: 'db',
        connection_id: made.body.id,
      });
      expect(res.status).toBe(201);
    }
    const refused = await admin(t.app, 'DELETE', `${BASE}/${made.body.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('connection.in_use');
    expect(refused.body.apps).toEqual(['alpha-app', 'beta-app']);
    expect(refused.body.message).toContain('alpha-app');
    expect((await admin(t.app, 'GET', `${BASE}/${made.body.id}`)).status).toBe(200);

    const unused = await create(basic());
    const deleted = await admin(t.app, 'DELETE', `${BASE}/${unused.body.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.raw).toBe('');
    expect((await admin(t.app, 'GET', `${BASE}/${unused.body.id}`)).status).toBe(404);
    expect((await admin(t.app, 'DELETE', `${BASE}/${unused.body.id}`)).status).toBe(404);
  });
});
