import { MIGRATIONS } from '../../src/database/migrations.js';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionsService } from '../../src/apps/connections.service.js';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';
import { Database } from '../../src/database/database.js';
import { DomainError } from '../../src/common/errors/domain-error.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres.js';
import { admin, getAppSettings, startAppsTestApp, type KeyBody } from './apps-kit.js';

describe('persistence: embedded by default, DATABASE_URL for an external server', () => {
  let pgs: TestPostgres;
  beforeAll(async () => {
    pgs = await startTestPostgres();
  });
  afterAll(() => pgs?.stop());

  it('starts its own PostgreSQL in the data folder, keeps the data across restarts, stops it on close', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'voicebox-data-'));
    try {
      const env = { VOICEBOX_DATA_DIR: dataDir };
      const first = await startAppsTestApp(env);
      const ready = await first.app.inject({ method: 'GET', url: '/system/ready' });
      expect(ready.json()).toMatchObject({ status: 'ready', checks: { database: { ok: true } } });
      // No VOICEBOX_SECRET_KEY: one is generated beside the data, private, and the log says so.
      const keyFile = join(dataDir, 'secret.key');
      expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
      expect(first.logs.text).toContain('generated a key for stored connection secrets');
      const keyBefore = await readFile(keyFile, 'utf8');
      const conn = await admin<{ id: string }>(first.app, 'POST', '/api/v1/admin/connections', {
        name: 'sd',
        kind: 'stardog',
        endpoint: 'http://127.0.0.1:5820',
        credential: { kind: 'basic', username: 'admin', password: 'pw-kept-1234' },
      });
      const app = await admin<{ id: string }>(first.app, 'POST', '/api/v1/admin/apps', {
        name: 'kept',
        database: 'db',
        connection_id: conn.body.id,
      });
      const key = await admin<KeyBody>(
        first.app,
        'POST',
        `/api/v1/admin/apps/${app.body.id}/keys`,
        {
          name: 'k',
        },
      );
      await first.close();
      expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);

      const second = await startAppsTestApp(env);
      try {
        expect((await getAppSettings(second.app, key.body.key!)).body).toMatchObject({
          name: 'kept',
        });
        expect(await readFile(keyFile, 'utf8')).toBe(keyBefore);
        expect(second.logs.text).not.toContain('generated a key');
        const resolved = await second.app.get(ConnectionsService).resolveForApp(app.body.id);
        expect(resolved?.credential).toEqual({
          kind: 'basic',
          username: 'admin',
          password: 'pw-kept-1234',
        });
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('runs the migrations once when several instances open a fresh database together', async () => {
    const config = loadConfig({ DATABASE_URL: await pgs.freshDatabase() });
    const logger = pino({ level: 'silent' });
    const dbs = await Promise.all([1, 2, 3].map(() => Database.open(config, logger)));
    try {
      const { rows } = await dbs[0].query('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows).toEqual(MIGRATIONS.map(({ version }) => ({ version })));
      const tables = await dbs[1].query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
      );
      // Later migrations add their own tables; these are the ones the first one must have made.
      expect(tables.rows.map((r) => r.table_name)).toEqual(
        expect.arrayContaining(['app_keys', 'apps', 'connections', 'schema_migrations']),
      );
    } finally {
      await Promise.all(dbs.map((d) => d.close()));
    }
  });

  it('with an external database and no VOICEBOX_SECRET_KEY, refuses to store a secret (503) and stores nothing', async () => {
    const t = await startAppsTestApp({ DATABASE_URL: await pgs.freshDatabase() });
    try {
      const res = await admin(t.app, 'POST', '/api/v1/admin/connections', {
        name: 'sd',
        kind: 'stardog',
        endpoint: 'http://127.0.0.1:5820',
        credential: { kind: 'bearer', token: 'tok-0123456789' },
      });
      expect(res.status).toBe(503);
      expect(res.body.message).toContain('VOICEBOX_SECRET_KEY');
      expect(res.raw).not.toContain('tok-0123456789');
      const list = await admin<unknown[]>(t.app, 'GET', '/api/v1/admin/connections');
      expect(list.body).toEqual([]);
      const anonymous = await admin(t.app, 'POST', '/api/v1/admin/connections', {
        name: 'open',
        kind: 'sparql',
        endpoint: 'http://127.0.0.1:7878/query',
        credential: { kind: 'none' },
      });
      expect(anonymous.status).toBe(201);
    } finally {
      await t.close();
    }
  });

  it('cannot read secrets with another VOICEBOX_SECRET_KEY (503 secrets.undecryptable)', async () => {
    const url = await pgs.freshDatabase();
    const key = () => randomBytes(32).toString('hex');
    const writer = await startAppsTestApp({ DATABASE_URL: url, VOICEBOX_SECRET_KEY: key() });
    const conn = await admin<{ id: string }>(writer.app, 'POST', '/api/v1/admin/connections', {
      name: 'sd',
      kind: 'stardog',
      endpoint: 'http://127.0.0.1:5820',
      credential: { kind: 'bearer', token: 'tok-0123456789' },
    });
    const app = await admin<{ id: string }>(writer.app, 'POST', '/api/v1/admin/apps', {
      name: 'a',
      database: 'db',
      connection_id: conn.body.id,
    });
    await writer.close();
    const reader = await startAppsTestApp({ DATABASE_URL: url, VOICEBOX_SECRET_KEY: key() });
    try {
      const err = await reader.app
        .get(ConnectionsService)
        .resolveForApp(app.body.id)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DomainError);
      expect(err).toMatchObject({ kind: 'unavailable', code: 'secrets.undecryptable' });
    } finally {
      await reader.close();
    }
  });

  it('answers 503 (not 500) and reports not ready while the database is down', async () => {
    const own = await startTestPostgres();
    const t = await startAppsTestApp(await own.freshDatabaseEnv());
    try {
      const key = await admin<KeyBody>(t.app, 'POST', '/api/v1/admin/apps', {
        name: 'a',
        database: 'd',
      }).then((app) =>
        admin<KeyBody>(
          t.app,
          'POST',
          `/api/v1/admin/apps/${(app.body as unknown as { id: string }).id}/keys`,
          {
            name: 'k',
          },
        ),
      );
      await own.stop();
      const list = await admin(t.app, 'GET', '/api/v1/admin/apps');
      expect(list.status).toBe(503);
      expect(list.body.code).toBe('database.unavailable');
      // A key cannot be checked: the caller is told to retry, not that the key is wrong.
      expect((await getAppSettings(t.app, key.body.key!)).status).toBe(503);
      const ready = await t.app.inject({ method: 'GET', url: '/system/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ checks: { database: { ok: false } } });
      const errors = t.logs.json().filter((l) => l.msg === 'unhandled error');
      expect(errors, JSON.stringify(errors)).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('names DATABASE_URL and VOICEBOX_SECRET_KEY in configuration errors without echoing them', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (err) {
        if (err instanceof ConfigError) return err.problems;
        throw err;
      }
      return [];
    };
    const bad = problems({
      DATABASE_URL: 'mysql://u:hunter2-secret@db/x',
      VOICEBOX_SECRET_KEY: 'short-secret',
    });
    expect(bad.map((p) => p.where).sort()).toEqual(['DATABASE_URL', 'VOICEBOX_SECRET_KEY']);
    expect(JSON.stringify(bad)).not.toMatch(/hunter2|short-secret/);
    const hex = randomBytes(32).toString('hex');
    const b64 = randomBytes(32).toString('base64');
    expect(loadConfig({ VOICEBOX_SECRET_KEY: hex }).database.secretKey).toEqual(
      Buffer.from(hex, 'hex'),
    );
    expect(loadConfig({ VOICEBOX_SECRET_KEY: b64 }).database.secretKey).toEqual(
      Buffer.from(b64, 'base64'),
    );
    const config = loadConfig({ DATABASE_URL: 'postgresql://svc:p%40ss-w0rd@db:5432/voicebox' });
    expect(config.database.url).toBe('postgresql://svc:p%40ss-w0rd@db:5432/voicebox');
    expect(config.secretValues).toContain('p@ss-w0rd');
  });
});
