import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type pg from 'pg';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Arbitrary constant naming our advisory lock. Replicas that start together queue on it, so each
 * migration runs exactly once; the others then find it recorded and skip it.
 */
const MIGRATION_LOCK_ID = 0x766f6963; // "voic"

/** Applies pending migrations in order, each in its own transaction, recorded in schema_migrations. */
export async function runMigrations(
  pool: pg.Pool,
  migrations: readonly Migration[],
  logger: Logger,
): Promise<number[]> {
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const { rows } = await client.query<{ version: number; checksum: string }>(
        'SELECT version, checksum FROM schema_migrations',
      );
      const done = new Map(rows.map((r) => [r.version, r.checksum]));
      for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
        const checksum = createHash('sha256').update(m.sql).digest('hex');
        const recorded = done.get(m.version);
        if (recorded !== undefined) {
          if (recorded !== checksum) {
            // An applied migration must never be edited; say so loudly but keep serving.
            logger.warn(
              { version: m.version, name: m.name },
              'applied migration was changed since',
            );
          }
          continue;
        }
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query(
            'INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)',
            [m.version, m.name, checksum],
          );
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw new Error(`migration ${m.version} (${m.name}) failed`, { cause: err });
        }
        applied.push(m.version);
        logger.info({ version: m.version, name: m.name }, 'applied database migration');
      }
      const newest = Math.max(0, ...done.keys());
      const known = Math.max(0, ...migrations.map((m) => m.version));
      if (newest > known) {
        logger.warn({ database: newest, known }, 'database schema is newer than this service');
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    }
  } finally {
    client.release();
  }
  return applied;
}
