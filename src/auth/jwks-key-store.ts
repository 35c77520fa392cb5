import { createPublicKey, type KeyObject } from 'node:crypto';
import { JwksClient } from 'jwks-rsa';
import { invalidToken, jwksUnavailable } from './auth-errors.js';

export interface JwksKeyStoreOptions {
  uri: string;
  /** Known keys are refetched after this long (JWKS_CACHE_TTL). */
  ttlMs: number;
  /** An unknown kid triggers at most one refetch per cool-down. */
  cooldownMs: number;
  timeoutMs: number;
  /** Called after each fetch attempt (metrics, tests). */
  onFetch?: (outcome: 'ok' | 'error') => void;
  now?: () => number;
}

interface KnownKey {
  kid?: string;
  alg?: string;
  /** Parsed once per fetch: jsonwebtoken handed a PEM re-parses it on every call (16× slower). */
  key: KeyObject;
  pem: string;
}

const KEY_TYPES_BY_ALG_PREFIX: Record<string, readonly string[]> = {
  RS: ['rsa'],
  PS: ['rsa', 'rsa-pss'],
  ES: ['ec'],
};
const CURVE_BY_ALG: Record<string, string> = {
  ES256: 'prime256v1',
  ES384: 'secp384r1',
  ES512: 'secp521r1',
};

/**
 * The signing keys of one IdP. jwks-rsa's JwksClient fetches and parses the JWKS (its own cache and
 * rate limit are off); this store decides when to fetch. Unlike jwks-rsa's defaults: failures are
 * remembered, so an unknown kid refetches at most once per cool-down (a flood of random kids costs
 * one fetch and cannot exhaust a rate-limit bucket), known keys keep serving while the IdP is down,
 * and an unknown kid during an outage is a 503, not a 401.
 */
export class JwksKeyStore {
  private keys: KnownKey[] = [];
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private lastError: unknown = undefined;
  private inflight: Promise<void> | undefined;
  private readonly now: () => number;
  private readonly client: JwksClient;

  constructor(private readonly opts: JwksKeyStoreOptions) {
    this.now = opts.now ?? Date.now;
    this.client = new JwksClient({
      jwksUri: opts.uri,
      cache: false,
      rateLimit: false,
      timeout: opts.timeoutMs,
      requestHeaders: { accept: 'application/json' },
    });
  }

  get uri(): string {
    return this.opts.uri;
  }

  /** The verification key for a token header; throws a DomainError (401 or 503) otherwise. */
  async keyFor(header: { alg?: string; kid?: string }): Promise<KeyObject> {
    const alg = header.alg ?? '';
    const now = this.now();
    if (now - this.fetchedAt > this.opts.ttlMs && this.mayFetch(now)) {
      // Stale keys keep serving while the refresh runs: a slow IdP must not stall every request.
      if (this.keys.length > 0) void this.refresh();
      else await this.refresh();
    }
    let key = this.find(header.kid, alg);
    if (!key && this.mayFetch(this.now())) {
      // Maybe the IdP rotated its keys: one refetch, shared by every request waiting for it.
      await this.refresh();
      key = this.find(header.kid, alg);
    }
    if (!key) {
      if (this.lastError !== undefined) {
        const wait = (this.attemptedAt + this.opts.cooldownMs - this.now()) / 1000;
        throw jwksUnavailable(wait, this.lastError);
      }
      throw header.kid === undefined
        ? invalidToken('unknown_key', 'no signing key matches the token')
        : invalidToken('unknown_kid', 'the token was signed with an unknown key (kid)');
    }
    return key.key;
  }

  private mayFetch(now: number): boolean {
    return this.inflight !== undefined || now - this.attemptedAt >= this.opts.cooldownMs;
  }

  private find(kid: string | undefined, alg: string): KnownKey | undefined {
    const usable = this.keys.filter((k) => fits(k, alg));
    if (kid !== undefined) return usable.find((k) => k.kid === kid);
    if (usable.length > 1) {
      throw invalidToken('missing_kid', 'the token has no kid and the issuer has several keys');
    }
    return usable[0];
  }

  private refresh(): Promise<void> {
    this.inflight ??= this.fetchKeys().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetchKeys(): Promise<void> {
    this.attemptedAt = this.now();
    try {
      // jwks-rsa drops symmetric keys, keys not for signing and private keys (the HS256-with-the-
      // public-key attack and publishing mistakes), and throws when no signing key is left.
      const signingKeys = await withDeadline(this.client.getSigningKeys(), this.opts.timeoutMs);
      const previous = new Map(this.keys.map((k) => [identity(k), k]));
      this.keys = signingKeys.map((signingKey) => {
        const pem = signingKey.getPublicKey();
        const known = { kid: signingKey.kid, alg: signingKey.alg, pem };
        // Keep already-parsed keys across refreshes.
        return previous.get(identity(known)) ?? { ...known, key: createPublicKey(pem) };
      });
      this.fetchedAt = this.now();
      this.lastError = undefined;
      this.opts.onFetch?.('ok');
    } catch (err) {
      // Known keys stay in service: an IdP outage must not log everybody out.
      this.lastError = err;
      this.opts.onFetch?.('error');
    }
  }
}

const identity = (k: { kid?: string; alg?: string; pem: string }) =>
  `${k.kid ?? ''}|${k.alg ?? ''}|${k.pem}`;

function fits(k: KnownKey, alg: string): boolean {
  if (k.alg !== undefined && k.alg !== alg) return false;
  const type = k.key.asymmetricKeyType ?? '';
  if (!KEY_TYPES_BY_ALG_PREFIX[alg.slice(0, 2)]?.includes(type)) return false;
  return type !== 'ec' || CURVE_BY_ALG[alg] === k.key.asymmetricKeyDetails?.namedCurve;
}

/** jwks-rsa's timeout is an idle-socket timeout; a JWKS trickling in slowly must still end. */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`JWKS fetch exceeded ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
