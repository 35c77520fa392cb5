import type { VerifiedAppKey } from '../auth/identity.js';

/**
 * Verified app keys, kept for at most half a second per replica, looked up by the raw key as the
 * client sent it: a hit costs one Map lookup, no SHA-256 (the hash is computed once per miss, by the
 * loader). Without the cache every request costs a database round trip (BENCHMARKS.md: about a fifth
 * of an unauthenticated route's throughput); with it a busy key is looked up twice a second.
 *
 * One shared lookup per miss: when an entry expires under load, the requests arriving before the
 * database answers wait for that one query instead of each sending their own (a stampede of 86
 * transactions a second instead of 2, measured). The entry's half second counts from the moment the
 * query was sent, so a revocation holds on every replica within one second; a revocation on this
 * replica evicts at once, and a query that was in flight during the revocation is not kept. Only
 * successes are kept, so a new key works at once and unknown keys cost no memory.
 */
export const VERIFIED_KEY_TTL_MS = 500;
const MAX_ENTRIES = 10_000;

interface Entry {
  value: VerifiedAppKey;
  until: number;
}

/** A lookup's answer, with the key's own expiry (the entry never outlives it). */
export interface KeyLookup {
  value: VerifiedAppKey;
  expiresAt: Date | null;
}

export class VerifiedKeyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<VerifiedAppKey | null>>();
  // Bumped by every eviction: a lookup that started before one must not store its answer.
  private generation = 0;

  constructor(
    private readonly ttlMs = VERIFIED_KEY_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The cached verification of `rawKey`, else `load()`'s, shared by every caller that asks while it
   * runs. `load` resolves null for an unknown, expired or revoked key (not kept).
   */
  lookup(rawKey: string, load: () => Promise<KeyLookup | null>): Promise<VerifiedAppKey | null> {
    const hit = this.get(rawKey);
    if (hit) return Promise.resolve(hit);
    let pending = this.inFlight.get(rawKey);
    if (!pending) {
      pending = this.load(rawKey, load);
      this.inFlight.set(rawKey, pending);
    }
    return pending;
  }

  private async load(
    rawKey: string,
    load: () => Promise<KeyLookup | null>,
  ): Promise<VerifiedAppKey | null> {
    const started = this.now();
    const generation = this.generation;
    try {
      const found = await load();
      if (found && generation === this.generation) this.set(rawKey, found, started);
      return found?.value ?? null;
    } finally {
      this.inFlight.delete(rawKey);
    }
  }

  get(rawKey: string): VerifiedAppKey | undefined {
    const entry = this.entries.get(rawKey);
    if (!entry) return undefined;
    if (entry.until <= this.now()) {
      this.entries.delete(rawKey);
      return undefined;
    }
    return entry.value;
  }

  private set(rawKey: string, found: KeyLookup, started: number): void {
    const until = Math.min(started + this.ttlMs, found.expiresAt?.getTime() ?? Infinity);
    if (this.entries.size >= MAX_ENTRIES) {
      // Maps iterate in insertion order: drop the oldest.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(rawKey, { value: found.value, until });
  }

  /** An app changed or went away: its keys' cached settings must not serve another request. */
  evictApp(appId: string): void {
    this.generation++;
    for (const [raw, entry] of this.entries) {
      if (entry.value.app.id === appId) this.entries.delete(raw);
    }
  }

  evictKey(keyId: string): void {
    this.generation++;
    for (const [raw, entry] of this.entries) {
      if (entry.value.keyId === keyId) this.entries.delete(raw);
    }
  }
}
