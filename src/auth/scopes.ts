/**
 * Scopes from a claims set: the first of `claimNames` present wins. Okta's `scp` is an array; other
 * servers send a space-separated `scope` string; both are accepted.
 */
export function scopesOf(claims: Record<string, unknown>, claimNames: readonly string[]): string[] {
  for (const name of claimNames) {
    const value = claims[name];
    if (value === undefined) continue;
    if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
    if (Array.isArray(value)) return value.filter((s): s is string => typeof s === 'string');
    return [];
  }
  return [];
}

/** The required scopes that `granted` lacks. */
export function missingScopes(granted: readonly string[], required: readonly string[]): string[] {
  if (required.length === 0) return [];
  const have = new Set(granted);
  return required.filter((s) => !have.has(s));
}
