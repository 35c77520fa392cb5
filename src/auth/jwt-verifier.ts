import { errors, jwtVerify, type JWTPayload } from 'jose';
import { DomainError } from '../common/errors/domain-error.js';
import type { JwtValidationConfig } from '../config/app-config.js';
import { invalidToken } from './auth-errors.js';
import type { JwksKeyStore } from './jwks-key-store.js';
import { scopesOf } from './scopes.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

export interface VerifiedJwt {
  subject: string;
  scopes: string[];
  claims: Record<string, unknown>;
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const CACHE_ENTRIES = 10_000;
const CACHE_MAX_AGE_MS = 60_000;

/**
 * Validates bearer JWTs against one issuer's settings (JWT_* or API_AUTH_*). Every check is explicit,
 * because jsonwebtoken/passport-jwt silently skip some (see shared/notes/auth.md): the algorithm must
 * be in the allowed list, `exp` and the subject claim must be present, `iss` and `aud` must match, and
 * the leeway is capped by the configuration schema.
 */
export class JwtVerifier {
  private readonly cache: VerifiedTokenCache<VerifiedJwt>;

  constructor(
    readonly config: JwtValidationConfig,
    private readonly keys: JwksKeyStore,
    now: () => number = Date.now,
  ) {
    this.cache = new VerifiedTokenCache(CACHE_ENTRIES, CACHE_MAX_AGE_MS, now);
  }

  async verify(token: string): Promise<VerifiedJwt> {
    if (!COMPACT_JWS.test(token)) throw invalidToken('malformed', 'the token is not a signed JWT');
    const cached = this.cache.get(token);
    if (cached) return cached;

    const { config } = this;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, (header) => this.keys.keyFor(header), {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: config.algorithms,
        clockTolerance: config.leewaySeconds,
        // jose, unlike jsonwebtoken, can require claims: a token without `exp` never expires.
        requiredClaims: ['exp', config.subjectClaimName],
      }));
    } catch (err) {
      throw toAuthError(err);
    }
    const subject = payload[config.subjectClaimName];
    if (typeof subject !== 'string' || subject.length === 0) {
      throw invalidToken('missing_subject', `the '${config.subjectClaimName}' claim is empty`);
    }
    const result: VerifiedJwt = {
      subject,
      scopes: scopesOf(payload, config.scopeClaimNames),
      claims: payload,
    };
    this.cache.set(token, result, payload.exp as number);
    return result;
  }
}

function toAuthError(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  if (err instanceof errors.JWTExpired) return invalidToken('expired', 'the token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.reason === 'missing') {
      return invalidToken('missing_claim', `the token has no '${err.claim}' claim`);
    }
    if (err.claim === 'nbf') return invalidToken('not_yet_valid', 'the token is not yet valid');
    return invalidToken(`wrong_${err.claim}`, `the '${err.claim}' claim is not accepted`);
  }
  if (err instanceof errors.JOSEAlgNotAllowed) {
    return invalidToken('algorithm_not_allowed', 'the token algorithm is not allowed');
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return invalidToken('bad_signature', 'the token signature is invalid');
  }
  // Anything else comes from the token's own bytes (bad JSON, bad header): the client's problem.
  return invalidToken('malformed', 'the token could not be decoded');
}
