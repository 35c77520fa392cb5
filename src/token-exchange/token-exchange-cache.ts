import { createHash } from 'node:crypto';
import type { ExchangedToken } from './exchange-hop.js';

export interface TokenExchangeCacheOptions {
  maxEntries: number;
  /** TOKEN_CACHE_TTL_SECONDS: the longest an entry lives, whatever the token's own life. */
  ttlMs: number;
  /** TOKEN_CACHE_EXPIRY_BUFFER_SECONDS: an entry ends this long before the exchanged token does. */
  expiryBufferMs: number;
}

/** Where a token came from: the cache, a new exchange, or an exchange another request started. */
export type CacheSource = 'hit' | 'miss' | 'joined';

interface Entry {
  token: string;
  usableUntil: number;
}

/**
 * Exchanged tokens keyed by a hash of the subject token, the audience and the scope (the subject
 * token itself is never kept as a key). An entry lives until the buffer before the exchanged token
 * expires, at most the TTL, and never past the subject token's own expiry: an exchanged token must
 * not outlive the authority it was derived from. Least recently used entries go first when full.
 * Concurrent requests for one key share one exchange (single flight); failures are not cached.
 */
export class TokenExchangeCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<ExchangedToken>>();

  constructor(
    private readonly opts: TokenExchangeCacheOptions,
    private readonly now: () => number = Date.now,
  ) {}

  static keyOf(subjectToken: string, audience: string, scope: string): string {
    return createHash('sha256')
      .update(subjectToken)
      .update('\0')
      .update(audience)
      .update('\0')
      .update(scope)
      .digest('base64url');
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * The cached token for `key`, else the result of `exchange` (shared with any concurrent caller
   * of the same key). `subjectExpiresAt` (epoch ms) caps the entry's life.
   */
  async get(
    key: string,
    subjectExpiresAt: number | undefined,
    exchange: () => Promise<ExchangedToken>,
  ): Promise<{ token: string; source: CacheSource }> {
    const cached = this.lookup(key);
    if (cached !== undefined) return { token: cached, source: 'hit' };
    const running = this.inflight.get(key);
    if (running) return { token: (await running).accessToken, source: 'joined' };
    const pending = exchange().then((token) => {
      this.store(key, token, subjectExpiresAt);
      return token;
    });
    this.inflight.set(key, pending);
    try {
      return { token: (await pending).accessToken, source: 'miss' };
    } finally {
      this.inflight.delete(key);
    }
  }

  private lookup(key: string): string | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.usableUntil <= this.now()) return undefined;
    this.entries.set(key, entry); // most recently used last
    return entry.token;
  }

  private store(key: string, token: ExchangedToken, subjectExpiresAt: number | undefined): void {
    const now = this.now();
    const usableUntil = Math.min(
      now + this.opts.ttlMs,
      token.expiresAt - this.opts.expiryBufferMs,
      subjectExpiresAt ?? Number.POSITIVE_INFINITY,
    );
    if (usableUntil <= now) return;
    this.entries.delete(key);
    this.entries.set(key, { token: token.accessToken, usableUntil });
    while (this.entries.size > this.opts.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}

/** The `exp` of a JWT subject token in epoch milliseconds, unverified (it was verified upstream). */
export function jwtExpiryOf(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const exp = (
      JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }
    ).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
