import { createHash } from 'node:crypto';

export interface IssuedToken {
  token: string;
  /** Epoch ms after which the token is not used any more (its `exp` minus a margin). */
  renewAt: number;
}

/** Renew this long before `exp`, so a token never expires in flight. */
const MARGIN_MS = 30_000;
/** A token without a readable `exp` is kept this long. */
const DEFAULT_LIFETIME_MS = 5 * 60_000;

/**
 * JWTs obtained from Stardog's `/admin/token` for basic credentials, one per endpoint and user.
 * Concurrent requests share one issuance; the password only enters the key as a hash.
 */
export class StardogTokenCache {
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly inflight = new Map<string, Promise<IssuedToken>>();

  constructor(private readonly now: () => number = Date.now) {}

  key(endpoint: string, username: string, password: string): string {
    return createHash('sha256').update(`${endpoint}\n${username}\n${password}`).digest('base64url');
  }

  async get(key: string, issue: () => Promise<string>): Promise<string> {
    const cached = this.tokens.get(key);
    if (cached && cached.renewAt > this.now()) return cached.token;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = issue()
        .then((token) => {
          const entry = { token, renewAt: this.renewAt(token) };
          this.tokens.set(key, entry);
          return entry;
        })
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return (await pending).token;
  }

  /** After the server refused a cached token (revoked, server restarted with a new key). */
  invalidate(key: string, token: string): void {
    if (this.tokens.get(key)?.token === token) this.tokens.delete(key);
  }

  private renewAt(token: string): number {
    const exp = jwtExp(token);
    const now = this.now();
    if (exp === undefined) return now + DEFAULT_LIFETIME_MS;
    return Math.max(now, exp * 1000 - MARGIN_MS);
  }
}

/** `exp` of a JWT's payload, read without verifying (we are the bearer, not the audience). */
export function jwtExp(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      exp?: unknown;
    };
    return typeof claims.exp === 'number' ? claims.exp : undefined;
  } catch {
    return undefined;
  }
}
