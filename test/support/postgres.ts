import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
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
  const freshDatabase = async () => {
    const name = `t_${randomBytes(6).toString('hex')}`;
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
    const url = new URL(server.url);
    url.pathname = `/${name}`;
    return url.toString();
  };
  return {
    url: server.url,
    freshDatabase,
    freshDatabaseEnv: async () => ({
      DATABASE_URL: await freshDatabase(),
      VOICEBOX_SECRET_KEY: randomBytes(32).toString('base64'),
    }),
    stop: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
