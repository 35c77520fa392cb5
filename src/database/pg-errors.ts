/** SQLSTATE codes we turn into domain errors (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
export const PG_UNIQUE_VIOLATION = '23505';
export const PG_FOREIGN_KEY_VIOLATION = '23503';

/** The violated constraint's name when `err` is a PostgreSQL error with this SQLSTATE; else null. */
export function violatedConstraint(err: unknown, sqlState: string): string | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as { code?: unknown; constraint?: unknown };
  if (e.code !== sqlState) return null;
  return typeof e.constraint === 'string' ? e.constraint : '';
}
