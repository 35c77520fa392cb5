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

/**
 * Whether the database could not be reached or used at all (as opposed to refusing a statement):
 * Node socket errors, pg pool/connection errors, SQLSTATE classes 08 (connection), 53 (resources),
 * 57P (shutdown, cannot connect now).
 */
export function isUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE|EAI_AGAIN)$/.test(code))
      return true;
    if (/^(08|53|57P)/.test(code)) return true;
  }
  return (
    typeof message === 'string' &&
    /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|Cannot use a pool after calling end/i.test(
      message,
    )
  );
}
