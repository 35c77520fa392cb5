import type { KeyObject } from 'node:crypto';
import { PassportStrategy } from '@nestjs/passport';
import type { JwtPayload } from 'jsonwebtoken';
import passport from 'passport';
import { Strategy, type StrategyOptionsWithoutRequest } from 'passport-jwt';
import type { JwtValidationConfig } from '../config/app-config.js';
import { invalidToken } from './auth-errors.js';
import type { JwksKeyStore } from './jwks-key-store.js';
import { scopesOf } from './scopes.js';

export interface VerifiedJwt {
  subject: string;
  scopes: string[];
  claims: Record<string, unknown>;
}

/** What one passport run ends with: passport's success, fail and error callbacks, kept apart. */
export type StrategyOutcome = { user: VerifiedJwt } | { failure: unknown } | { error: unknown };

/** The request passport-jwt sees: the guard has already taken the bearer token out of the header. */
interface TokenCarrier {
  token: string;
}

type JwtHeader = { alg?: string; kid?: string };

/**
 * One passport-jwt strategy for one JWT configuration (JWT_* or API_AUTH_*), registered under `name`
 * in `registry`, a Passport instance owned by the application rather than passport's global one (two
 * apps in one process, as in the tests, must not replace each other's strategies).
 */
export function createJwtStrategy(
  name: string,
  registry: passport.Authenticator,
  config: JwtValidationConfig,
  keys: JwksKeyStore,
) {
  const options: StrategyOptionsWithoutRequest = {
    jwtFromRequest: (req: TokenCarrier) => req.token,
    secretOrKeyProvider: (_req: TokenCarrier, rawJwtToken: string, done) => {
      let header: JwtHeader;
      try {
        header = headerOf(rawJwtToken, config.algorithms);
      } catch (err) {
        done(err);
        return;
      }
      keys.keyFor(header).then(
        // jsonwebtoken takes a KeyObject as is (its types say string | Buffer): no PEM parse per call.
        (key: KeyObject) => done(null, key as unknown as Buffer),
        (err: unknown) => done(err),
      );
    },
    // At the top level: passport-jwt copies these three over jsonWebTokenOptions, even when undefined.
    issuer: config.issuer,
    audience: config.audience,
    algorithms: config.algorithms as StrategyOptionsWithoutRequest['algorithms'],
    jsonWebTokenOptions: { clockTolerance: config.leewaySeconds },
  };

  class JwtBearerStrategy extends PassportStrategy(Strategy, name) {
    constructor() {
      super(options);
    }

    /** Called by the @nestjs/passport mixin while registering the strategy. */
    getPassportInstance(): passport.Authenticator {
      return registry;
    }

    /** After jsonwebtoken: the claims it does not require. A throw here reaches passport's error(). */
    validate(payload: JwtPayload): VerifiedJwt {
      // jsonwebtoken accepts a token without `exp`: such a token would never expire.
      if (typeof payload.exp !== 'number') {
        throw invalidToken('missing_claim', "the token has no 'exp' claim");
      }
      const claim = config.subjectClaimName;
      const subject: unknown = payload[claim];
      if (subject === undefined) {
        throw invalidToken('missing_claim', `the token has no '${claim}' claim`);
      }
      if (typeof subject !== 'string' || subject.length === 0) {
        throw invalidToken('missing_subject', `the '${claim}' claim is empty`);
      }
      return { subject, scopes: scopesOf(payload, config.scopeClaimNames), claims: payload };
    }
  }
  return new JwtBearerStrategy();
}

/**
 * Runs the named strategy on one token through passport. Passport's own guard (AuthGuard('jwt'))
 * would turn every failure into a 401; here the outcome keeps what failed, so a JWKS outage stays a
 * 503 and each refusal keeps its own WWW-Authenticate description.
 */
export function runJwtStrategy(
  registry: passport.Authenticator,
  name: string,
  token: string,
): Promise<StrategyOutcome> {
  return new Promise((resolve) => {
    const carrier: TokenCarrier = { token };
    const middleware = registry.authenticate(
      name,
      { session: false },
      (err: unknown, user: VerifiedJwt | false | undefined, info: unknown) => {
        if (err) resolve({ error: err });
        else if (user) resolve({ user });
        else resolve({ failure: info });
      },
    ) as (req: unknown, res: unknown, next: (err?: unknown) => void) => void;
    middleware(carrier, {}, (err?: unknown) =>
      resolve({ error: err ?? new Error('the JWT strategy passed') }),
    );
  });
}

/** The token header, checked before any key lookup: a disallowed algorithm never costs a fetch. */
function headerOf(rawJwtToken: string, algorithms: readonly string[]): JwtHeader {
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(rawJwtToken.split('.')[0], 'base64url').toString('utf8'));
  } catch {
    throw invalidToken('malformed', 'the token could not be decoded');
  }
  if (typeof header !== 'object' || header === null) {
    throw invalidToken('malformed', 'the token could not be decoded');
  }
  const { alg, kid } = header as Record<string, unknown>;
  if (typeof alg !== 'string' || !algorithms.includes(alg)) {
    throw invalidToken('algorithm_not_allowed', 'the token algorithm is not allowed');
  }
  if (kid !== undefined && typeof kid !== 'string') {
    throw invalidToken('malformed', 'the token could not be decoded');
  }
  return { alg, kid };
}
