import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { inject } from 'vitest';
import {
  startEmbeddedPostgres,
  type RunningPostgres,
} from '../../src/database/embedded-postgres.server.js';

/**
 * A real PostgreSQL for one test file: an embedded server in a temp folder (about a second to
 * start), deleted on stop. Each test can take a fresh, empty database from it, so files and tests
 * never see each other's rows.
 *
 *   const pgServer = await startTestPostgres();        // beforeAll
 *   const env = await pgServer.freshDatabaseEnv();      // DATABASE_URL + VOICEBOX_SECRET_KEY
 *   await pgServer.stop();                              // afterAll
 */
export interface TestPostgres {
  /** URL of the server's `postgres` database. */
  url: string;
  /** Creates an empty database and returns its URL. */
  freshDatabase(): Promise<string>;
  /** The environment a service needs to run on a fresh database. */
  freshDatabaseEnv(): Promise<{ DATABASE_URL: string; VOICEBOX_SECRET_KEY: string }>;
  stop(): Promise<void>;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'voicebox-pg-'));
  let server: RunningPostgres;
  try {
    server = await startEmbeddedPostgres({
      dir,
      logger: pino({ level: 'silent' }),
      ephemeral: true,
    });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    ...onServer(server.url),
    stop: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh database on the run's shared server (test/support/postgres-global-setup.ts): the
 * environment test apps start with unless a test brings its own DATABASE_URL or VOICEBOX_DATA_DIR.
 */
export async function sharedTestDatabaseEnv(): Promise<{
  DATABASE_URL: string;
  VOICEBOX_SECRET_KEY: string;
}> {
  const url = inject('voiceboxPostgresUrl');
  if (!url) {
    throw new Error(
      'no shared test PostgreSQL: add test/support/postgres-global-setup.ts to the e2e globalSetup',
    );
  }
  return onServer(url).freshDatabaseEnv();
}

function onServer(serverUrl: string): Omit<TestPostgres, 'stop'> {
  const freshDatabase = async () => {
    const name = `t_${randomBytes(6).toString('hex')}`;
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return url.toString();
  };
  return {
    url: serverUrl,
    freshDatabase,
    freshDatabaseEnv: async () => ({
      DATABASE_URL: await freshDatabase(),
      VOICEBOX_SECRET_KEY: randomBytes(32).toString('base64'),
    }),
  };
}
