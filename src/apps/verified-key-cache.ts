import type { VerifiedAppKey } from '../auth/identity.js';

/**
 * Verified app keys, kept for at most half a second per replica. Without it every request costs a
 * database round trip (measured in BENCHMARKS.md: about a fifth of an unauthenticated route's
 * throughput); with it a busy key is looked up twice a second. The bound keeps the promise that a
 * revocation holds on every replica within one second; a revocation on this replica evicts at
 * once. Only successes are kept, so a new key works at once and unknown keys cost no memory.
 */
export const VERIFIED_KEY_TTL_MS = 500;
const MAX_ENTRIES = 10_000;

interface Entry {
  value: VerifiedAppKey;
  until: number;
}

export class VerifiedKeyCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = VERIFIED_KEY_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  get(hash: string): VerifiedAppKey | undefined {
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    if (entry.until <= this.now()) {
      this.entries.delete(hash);
      return undefined;
    }
    return entry.value;
  }

  /** `expiresAt`: the key's own expiry; the entry never outlives it. */
  set(hash: string, value: VerifiedAppKey, expiresAt: Date | null): void {
    const until = Math.min(this.now() + this.ttlMs, expiresAt?.getTime() ?? Infinity);
    if (this.entries.size >= MAX_ENTRIES) {
      // Maps iterate in insertion order: drop the oldest.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(hash, { value, until });
  }

  /** An app changed or went away: its keys' cached settings must not serve another request. */
  evictApp(appId: string): void {
    for (const [hash, entry] of this.entries) {
      if (entry.value.app.id === appId) this.entries.delete(hash);
    }
  }

  evictKey(keyId: string): void {
    for (const [hash, entry] of this.entries) {
      if (entry.value.keyId === keyId) this.entries.delete(hash);
    }
  }
}
