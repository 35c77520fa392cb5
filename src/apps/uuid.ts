const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else cannot name a row (and PostgreSQL would refuse it with an error). */
export function isUuid(v: string): boolean {
  return UUID.test(v);
}
