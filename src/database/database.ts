import type { Logger } from 'pino';
import pg from 'pg';
import { DomainError } from '../common/errors/domain-error.js';
import type { AppConfig } from '../config/app-config.js';
import { EmbeddedPostgresSupervisor } from './embedded-postgres.supervisor.js';
import { MIGRATIONS } from './migrations.js';
import { runMigrations } from './migrator.js';
import { isUnavailable } from './pg-errors.js';

export type Row = Record<string, unknown>;

/** What repositories need: one query, or several inside one transaction. */
export interface Queryable {
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<pg.QueryResult<T>>;
}

/**
 * The service's PostgreSQL: a pool on DATABASE_URL, or on the embedded server started under the data
 * folder. Injection token for repositories. Opening it applies pending migrations.
 */
export class Database implements Queryable {
  private closed = false;
  private embedded: EmbeddedPostgresSupervisor | null = null;

  private constructor(
    private pool: pg.Pool,
    private readonly logger: Logger,
  ) {}

  /**
   * Why the process should be replaced (liveness fails), or undefined while it is fine: the
   * embedded server died and could not be restarted.
   */
  get fatalFailure(): string | undefined {
    return this.embedded?.failure;
  }

  /** 'embedded' or 'external', for logs and the CLI. */
  get mode(): 'embedded' | 'external' {
    return this.embedded ? 'embedded' : 'external';
  }

  static async open(config: AppConfig, logger: Logger): Promise<Database> {
    const log = logger.child({ component: 'database' });
    const embedded = config.database.url
      ? null
      : await EmbeddedPostgresSupervisor.start({ dir: config.server.dataDir, logger: log });
    const db = new Database(createPool(config.database.url ?? embedded!.url, log), log);
    if (embedded) {
      db.embedded = embedded;
      embedded.onReplaced = (url) => db.replacePool(url);
    }
    try {
      await runMigrations(db.pool, MIGRATIONS, log);
    } catch (err) {
      await db.close();
      throw err;
    }
    log.info({ mode: db.mode }, 'database ready');
    return db;
  }

  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<pg.QueryResult<T>> {
    return this.pool.query<T>(sql, params as unknown[] | undefined).catch(unavailable);
  }

  /** Runs `work` in one transaction: committed if it resolves, rolled back if it throws. */
  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect().catch(unavailable);
    try {
      await client.query('BEGIN');
      const result = await work({
        query: <R extends Row = Row>(sql: string, params?: readonly unknown[]) =>
          client.query<R>(sql, params as unknown[] | undefined),
      });
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      return unavailable(err);
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
    await this.embedded?.stop();
    this.logger.debug('database closed');
  }

  /** After the embedded server came back on another port: new connections go there. */
  private replacePool(url: string): void {
    if (this.closed) return;
    const old = this.pool;
    this.pool = createPool(url, this.logger);
    void old.end().catch(() => undefined);
  }
}

function createPool(url: string, log: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its server emits here; without a listener the process would crash.
  pool.on('error', (err) =>
    // Only message and code: the error also carries the whole client object.
    log.warn(
      { error: err.message, code: (err as { code?: string }).code },
      'idle PostgreSQL connection failed',
    ),
  );
  return pool;
}

/** A database that cannot be reached is a dependency failure (503), never a 500 with its message. */
function unavailable(err: unknown): never {
  if (isUnavailable(err)) {
    throw new DomainError('unavailable', 'database.unavailable', 'The database is unavailable', {
      headers: { 'Retry-After': '5' },
      cause: err,
    });
  }
  throw err;
}
