import { importJWK, type JWK } from 'jose';

type VerificationKey = Awaited<ReturnType<typeof importJWK>>;
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
  jwk: JWK;
  /** Imported lazily per algorithm: importing is the costly part, verifying with a ready key is not. */
  imported: Map<string, Promise<VerificationKey>>;
}

const KTY_BY_ALG_PREFIX: Record<string, string> = { RS: 'RSA', PS: 'RSA', ES: 'EC' };
const CRV_BY_ALG: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };

/**
 * The signing keys of one IdP, fetched from its JWKS. Unlike jwks-rsa: failures are remembered, so an
 * unknown kid refetches at most once per cool-down (a flood of random kids costs one fetch), known
 * keys keep serving while the IdP is down, and an unknown kid during an outage is a 503, not a 401.
 */
export class JwksKeyStore {
  private keys: KnownKey[] = [];
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private lastError: unknown = undefined;
  private inflight: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: JwksKeyStoreOptions) {
    this.now = opts.now ?? Date.now;
  }

  get uri(): string {
    return this.opts.uri;
  }

  /** The verification key for a token header; throws a DomainError (401 or 503) otherwise. */
  async keyFor(header: { alg?: string; kid?: string }): Promise<VerificationKey> {
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
    let imported = key.imported.get(alg);
    if (!imported) {
      imported = importJWK(key.jwk, alg);
      key.imported.set(alg, imported);
    }
    return imported;
  }

  private mayFetch(now: number): boolean {
    return this.inflight !== undefined || now - this.attemptedAt >= this.opts.cooldownMs;
  }

  private find(kid: string | undefined, alg: string): KnownKey | undefined {
    const usable = this.keys.filter((k) => fits(k.jwk, alg));
    if (kid !== undefined) return usable.find((k) => k.jwk.kid === kid);
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
      const res = await fetch(this.opts.uri, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      if (!res.ok) throw new Error(`JWKS answered HTTP ${res.status}`);
      const body = (await res.json()) as { keys?: unknown };
      if (!Array.isArray(body.keys)) throw new Error('JWKS document has no "keys" array');
      const previous = new Map(this.keys.map((k) => [JSON.stringify(k.jwk), k]));
      this.keys = (body.keys as JWK[]).filter(isPublicSigningKey).map((jwk) => {
        // Keep already-imported keys across refreshes.
        return previous.get(JSON.stringify(jwk)) ?? { jwk, imported: new Map() };
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

function isPublicSigningKey(jwk: unknown): jwk is JWK {
  if (typeof jwk !== 'object' || jwk === null) return false;
  const k = jwk as JWK;
  // Symmetric keys ("oct") never verify here: that is the HS256-with-the-public-key attack.
  if (k.kty !== 'RSA' && k.kty !== 'EC') return false;
  if (k.use !== undefined && k.use !== 'sig') return false;
  // A private key in a JWKS is a publishing mistake; never use one.
  return k.d === undefined;
}

function fits(jwk: JWK, alg: string): boolean {
  if (jwk.alg !== undefined && jwk.alg !== alg) return false;
  if (KTY_BY_ALG_PREFIX[alg.slice(0, 2)] !== jwk.kty) return false;
  return jwk.kty !== 'EC' || CRV_BY_ALG[alg] === jwk.crv;
}
