import type passport from 'passport';
import { DomainError } from '../common/errors/domain-error.js';
import type { JwtValidationConfig } from '../config/app-config.js';
import { invalidToken } from './auth-errors.js';
import type { JwksKeyStore } from './jwks-key-store.js';
import { createJwtStrategy, runJwtStrategy, type VerifiedJwt } from './jwt-strategy.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

export type { VerifiedJwt } from './jwt-strategy.js';

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const CACHE_ENTRIES = 10_000;
const CACHE_MAX_AGE_MS = 60_000;

/**
 * Validates bearer JWTs against one issuer's settings (JWT_* or API_AUTH_*) with a passport-jwt
 * strategy (jsonwebtoken underneath) and keys from a JwksKeyStore (jwks-rsa underneath). The checks
 * jsonwebtoken skips (it accepts a token without `exp`, and has no required claims) are made in the
 * strategy's validate; the leeway is capped by the configuration schema. A bounded cache of verified tokens sits in front.
 */
export class JwtVerifier {
  private readonly cache: VerifiedTokenCache<VerifiedJwt>;

  constructor(
    readonly config: JwtValidationConfig,
    keys: JwksKeyStore,
    private readonly registry: passport.Authenticator,
    private readonly strategyName: string,
    now: () => number = Date.now,
  ) {
    this.cache = new VerifiedTokenCache(CACHE_ENTRIES, CACHE_MAX_AGE_MS, now);
    createJwtStrategy(strategyName, registry, config, keys);
  }

  /** The verdict on a token verified before and still cached, else undefined (no promise either way). */
  verifiedNow(token: string): VerifiedJwt | undefined {
    return this.cache.get(token);
  }

  async verify(token: string): Promise<VerifiedJwt> {
    // A cached token passed the shape test when it was stored.
    const cached = this.cache.get(token);
    if (cached) return cached;
    if (!COMPACT_JWS.test(token)) throw invalidToken('malformed', 'the token is not a signed JWT');

    const outcome = await runJwtStrategy(this.registry, this.strategyName, token);
    if (!('user' in outcome)) {
      throw toAuthError('failure' in outcome ? outcome.failure : outcome.error);
    }
    const result = outcome.user;
    this.cache.set(token, result, result.claims.exp as number);
    return result;
  }
}

/** jsonwebtoken's errors, by name (its classes are not exported through passport-jwt). */
function toAuthError(err: unknown): unknown {
  if (err instanceof DomainError) return err;
  if (!(err instanceof Error)) return err;
  switch (err.name) {
    case 'TokenExpiredError':
      return invalidToken('expired', 'the token has expired');
    case 'NotBeforeError':
      return invalidToken('not_yet_valid', 'the token is not yet valid');
    case 'JsonWebTokenError':
      break;
    default:
      // Not a verdict on the token: a fault of ours, for the global filter (never with a stack).
      return err;
  }
  // Fixed descriptions only: jsonwebtoken's messages echo the expected issuer and audience.
  const message = err.message;
  if (message.startsWith('jwt issuer invalid')) {
    return invalidToken('wrong_iss', "the 'iss' claim is not accepted");
  }
  if (message.startsWith('jwt audience invalid')) {
    return invalidToken('wrong_aud', "the 'aud' claim is not accepted");
  }
  if (message === 'invalid signature') {
    return invalidToken('bad_signature', 'the token signature is invalid');
  }
  if (message === 'invalid algorithm' || message.startsWith('secretOrPublicKey must be')) {
    return invalidToken('algorithm_not_allowed', 'the token algorithm is not allowed');
  }
  // Anything else comes from the token's own bytes (bad JSON, bad claim types): the client's problem.
  return invalidToken('malformed', 'the token could not be decoded');
}
