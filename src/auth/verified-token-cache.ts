/**
 * Tokens already verified, keyed by the full token text. A hit skips only work whose result cannot
 * change before the entry expires: signature, issuer and audience are fixed by the token's bytes, and
 * an entry never outlives the token's `exp` (nor `maxAgeMs`, so a key withdrawn from the JWKS stops
 * being honoured soon). Bounded: the oldest entry goes first.
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(token: string): T | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (this.now() >= entry.expiresAt) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.value;
  }

  /** `expSeconds`: the token's `exp` claim. */
  set(token: string, value: T, expSeconds: number): void {
    const expiresAt = Math.min(expSeconds * 1000, this.now() + this.maxAgeMs);
    if (expiresAt <= this.now()) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, { value, expiresAt });
  }

  get size(): number {
    return this.entries.size;
  }
}
