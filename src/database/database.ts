import type { Logger } from 'pino';
import pg from 'pg';
import { DomainError } from '../common/errors/domain-error.js';
import type { AppConfig } from '../config/app-config.js';
import { startEmbeddedPostgres, type RunningPostgres } from './embedded-postgres.server.js';
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

  private constructor(
    private readonly pool: pg.Pool,
    private readonly embedded: RunningPostgres | null,
    private readonly logger: Logger,
  ) {}

  /** 'embedded' or 'external', for logs and the CLI. */
  get mode(): 'embedded' | 'external' {
    return this.embedded ? 'embedded' : 'external';
  }

  static async open(config: AppConfig, logger: Logger): Promise<Database> {
    const log = logger.child({ component: 'database' });
    const embedded = config.database.url
      ? null
      : await startEmbeddedPostgres({ dir: config.server.dataDir, logger: log });
    const pool = new pg.Pool({
      connectionString: config.database.url ?? embedded!.url,
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
    const db = new Database(pool, embedded, log);
    try {
      await runMigrations(pool, MIGRATIONS, log);
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
