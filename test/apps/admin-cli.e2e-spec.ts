import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../support/postgres.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { ADMIN, ADMIN_TOKEN, getAppSettings, startAppsTestApp } from './apps-kit.js';
import { ensureCliBuilt, runCli, runProgram } from './cli-kit.js';

// Each run of the CLI is a fresh Node process loading Nest: seconds apiece on a busy machine.
describe(
  'voicebox-admin, the command-line tool shipped in the package',
  { timeout: 240_000 },
  () => {
    let pgs: TestPostgres;
    let env: Record<string, string>;
    let service: TestApp;

    /** Runs the built CLI as a user would, with the service's environment and optional stdin. */
    const cli = (args: string[], input?: string, extraEnv: Record<string, string> = {}) =>
      runCli(args, { ...env, ...extraEnv }, input);

    const run = (
      command: string,
      args: string[],
      input?: string,
      extraEnv: Record<string, string> = {},
    ) => runProgram(command, args, { ...env, ...extraEnv }, input);

    beforeAll(async () => {
      await ensureCliBuilt();
      pgs = await startTestPostgres();
      env = await pgs.freshDatabaseEnv();
      service = await startAppsTestApp(env);
    });
    afterAll(async () => {
      await service?.close();
      await pgs?.stop();
    });

    it('sets up a connection, an app and a key that then works over HTTP; revoking it takes effect', async () => {
      const password = 'cli-secret-password-42';
      const conn = await cli(
        [
          'create-connection',
          '--name',
          'prod',
          '--kind',
          'stardog',
          '--endpoint',
          'https://stardog.example.com',
          '--credential',
          'basic',
          '--username',
          'reader',
          '--secret-stdin',
        ],
        `${password}\n`,
      );
      expect(conn.code, conn.stderr).toBe(0);
      expect(JSON.parse(conn.stdout)).toMatchObject({
        name: 'prod',
        credential: { kind: 'basic', username: 'reader', has_secret: true },
      });
      expect(conn.stdout + conn.stderr).not.toContain(password);

      const app = await cli([
        'create-app',
        '--name',
        'cli-app',
        '--database',
        'sales',
        '--connection',
        'prod',
        '--named-graph',
        'urn:g:1',
        '--named-graph',
        'urn:g:2',
        '--reasoning',
      ]);
      expect(app.code, app.stderr).toBe(0);
      const appBody = JSON.parse(app.stdout) as { id: string; connection_id: string };
      expect(appBody.connection_id).toBe((JSON.parse(conn.stdout) as { id: string }).id);

      const key = await cli(['create-key', '--app', 'cli-app', '--name', 'first', '--key-only']);
      expect(key.code, key.stderr).toBe(0);
      const raw = key.stdout.trim();
      expect(raw).toMatch(/^sdc_[A-Za-z0-9_-]{43}$/);

      const settings = await getAppSettings(service.app, raw);
      expect(settings.status).toBe(200);
      expect(settings.body).toEqual({
        name: 'cli-app',
        database: 'sales',
        model: '',
        named_graphs: ['urn:g:1', 'urn:g:2'],
        reasoning: true,
      });

      const list = await cli(['list-keys', '--app', appBody.id]);
      expect(list.code).toBe(0);
      const keys = JSON.parse(list.stdout) as Array<{ id: string; prefix: string }>;
      expect(keys).toHaveLength(1);
      expect(keys[0].prefix).toBe(raw.slice(0, 12));
      expect(list.stdout).not.toContain(raw);

      const revoke = await cli(['revoke-key', '--app', 'cli-app', '--key', keys[0].id]);
      expect(revoke.code, revoke.stderr).toBe(0);
      expect((await getAppSettings(service.app, raw)).status).toBe(401);
    });

    it('refuses bad input naming the option, exit 1, and creates nothing', async () => {
      const res = await cli(['create-app', '--name', 'bad', '--named-graph', 'not an iri']);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain('--database');
      expect(res.stderr).toContain('--named-graphs');
      const dup = await cli(['create-app', '--name', 'cli-app', '--database', 'x']);
      expect(dup.code).toBe(1);
      expect(dup.stderr).toContain('already exists');
      const apps = await service.app.inject({
        method: 'GET',
        url: '/api/v1/admin/apps',
        headers: ADMIN,
      });
      expect(apps.json<Array<{ name: string }>>().map((a) => a.name)).not.toContain('bad');
    });

    it('prints --help on stdout with exit 0, every command listed', async () => {
      const help = await cli(['--help']);
      expect(help.code).toBe(0);
      expect(help.stderr).toBe('');
      expect(help.stdout).toMatch(/^Usage: voicebox-admin <command> \[options\]$/m);
      for (const command of [
        'create-connection',
        'create-app',
        'list-apps',
        'create-key',
        'list-keys',
        'revoke-key',
      ]) {
        expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
      }
      expect((await cli(['list-apps', '-h'])).stdout).toBe(help.stdout);
    });

    it('lists the apps as the admin API does', async () => {
      const made = await cli(['create-app', '--name', 'listed', '--database', 'db1']);
      expect(made.code, made.stderr).toBe(0);
      const list = await cli(['list-apps']);
      expect(list.code, list.stderr).toBe(0);
      const viaApi = await service.app.inject({
        method: 'GET',
        url: '/api/v1/admin/apps',
        headers: ADMIN,
      });
      expect(JSON.parse(list.stdout)).toEqual(viaApi.json());
      expect(JSON.parse(list.stdout)).toContainEqual(JSON.parse(made.stdout));
    });

    it('refuses a second usable key of the same name, saying which key has it; after revoking, the name is free', async () => {
      expect((await cli(['create-app', '--name', 'twice', '--database', 'db'])).code).toBe(0);
      const first = await cli(['create-key', '--app', 'twice', '--name', 'demo']);
      expect(first.code, first.stderr).toBe(0);
      const issued = JSON.parse(first.stdout) as { id: string; prefix: string; key: string };

      const again = await cli(['create-key', '--app', 'twice', '--name', 'demo']);
      expect(again.code).toBe(1);
      expect(again.stdout).toBe('');
      expect(again.stderr).toContain(
        `error (app_key.name_taken): app "twice" already has a key named "demo" (id ${issued.id}, prefix ${issued.prefix}`,
      );
      expect(again.stderr).toContain(`revoke-key --app twice --key ${issued.id}`);
      const keys = JSON.parse((await cli(['list-keys', '--app', 'twice'])).stdout) as unknown[];
      expect(keys).toHaveLength(1);

      expect((await cli(['revoke-key', '--app', 'twice', '--key', issued.id])).code).toBe(0);
      const renewed = await cli(['create-key', '--app', 'twice', '--name', 'demo']);
      expect(renewed.code, renewed.stderr).toBe(0);
    });

    it("logs an issued key's prefix as it is, and never the key", async () => {
      expect((await cli(['create-app', '--name', 'logged', '--database', 'db'])).code).toBe(0);
      const res = await cli(['create-key', '--app', 'logged', '--name', 'k'], undefined, {
        LOG_LEVEL: 'INFO',
      });
      expect(res.code, res.stderr).toBe(0);
      const { key, prefix } = JSON.parse(res.stdout) as { key: string; prefix: string };
      expect(prefix).toBe(key.slice(0, 12));
      const issuedLine = res.stderr
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg: string; prefix?: string })
        .find((l) => l.msg === 'app key issued');
      expect(issuedLine?.prefix).toBe(prefix);
      expect(res.stderr).not.toContain(key);
    });

    it('the start-up hint of the demo app is a command that works as printed', async () => {
      const demoEnv = await pgs.freshDatabaseEnv();
      const demo = await startTestApp({ VOICEBOX_ADMIN_TOKEN: ADMIN_TOKEN, ...demoEnv });
      try {
        const hint = demo.logs
          .json()
          .map((l) => String(l.msg))
          .find((m) => m.includes('make a key with: '));
        expect(hint).toBeDefined();
        const command = hint!.split('make a key with: ')[1];
        expect(command).toBe(
          'node dist/cli/voicebox-admin.js create-key --app ck25-demo --name demo',
        );
        const [program, ...args] = command.split(' ');
        expect(program).toBe('node');
        const made = await run(process.execPath, args, undefined, demoEnv);
        expect(made.code, made.stderr).toBe(0);
        const key = (JSON.parse(made.stdout) as { key: string }).key;
        expect((await getAppSettings(demo.app, key)).body).toMatchObject({ name: 'ck25-demo' });
      } finally {
        await demo.close();
      }
    });

    it('answers usage errors with exit 2 and configuration errors with exit 78 naming the variable', async () => {
      const unknown = await cli(['frobnicate']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('Usage: voicebox-admin');
      const config = await cli(['list-keys', '--app', 'x'], undefined, {
        DATABASE_URL: 'mysql://u:pw-not-shown@h/db',
      });
      expect(config.code).toBe(78);
      expect(config.stderr).toContain('DATABASE_URL');
      expect(config.stderr).not.toContain('pw-not-shown');
    });

    it('attaches to the embedded PostgreSQL of a running service instead of starting a second one', async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'voicebox-cli-data-'));
      const running = await startAppsTestApp({ VOICEBOX_DATA_DIR: dataDir });
      try {
        const local = { DATABASE_URL: '', VOICEBOX_SECRET_KEY: '', VOICEBOX_DATA_DIR: dataDir };
        const app = await cli(
          ['create-app', '--name', 'first-setup', '--database', 'db'],
          undefined,
          local,
        );
        expect(app.code, app.stderr).toBe(0);
        const key = await cli(
          ['create-key', '--app', 'first-setup', '--name', 'k', '--key-only'],
          undefined,
          local,
        );
        expect(key.code, key.stderr).toBe(0);
        // The CLI has exited; the service's server must still be up and see what the CLI wrote.
        const settings = await getAppSettings(running.app, key.stdout.trim());
        expect(settings.status).toBe(200);
        expect(settings.body).toMatchObject({ name: 'first-setup' });
      } finally {
        await running.close();
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  },
);
