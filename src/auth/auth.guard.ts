import {
  Injectable,
  Optional,
  type CanActivate,
  type ExecutionContext,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { DomainError } from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { InjectLogger } from '../observability/root-logger.js';
import { AdminAuthThrottle } from './admin-auth-throttle.js';
import { AppKeyVerifier } from './app-key-verifier.js';
import {
  authNotConfigured,
  insufficientScope,
  invalidToken,
  missingCredentials,
} from './auth-errors.js';
import { AUTH_POLICY, type AuthPolicy } from '../common/http/route-policy.decorators.js';
import { bearerTokenOf, clientIdOf, headerOf, sameSecret } from './credentials.js';
import type { Identity, VerifiedAppKey } from './identity.js';
import type { JwtVerifier, VerifiedJwt } from './jwt-verifier.js';
import { JwtVerifiers } from './jwt-verifiers.js';
import { missingScopes } from './scopes.js';

type AuthRequest = FastifyRequest & { identity?: Identity };
type VoiceboxPolicy = Extract<AuthPolicy, { kind: 'voicebox' }>;

const APP_KEY_PREFIX = 'sdc_';

/**
 * The one guard of the application. Every route states its policy with a decorator from
 * common/http/route-policy.decorators.ts; a route that states none is refused (fail closed).
 */
@Injectable()
export class AuthGuard implements CanActivate, OnApplicationBootstrap {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    private readonly verifiers: JwtVerifiers,
    private readonly adminThrottle: AdminAuthThrottle,
    @InjectLogger() private readonly logger: Logger,
    // The port is bound by the (global) apps module; auth never imports apps. Tests replace it with
    // overrideProvider(AppKeyVerifier).
    @Optional() private readonly appKeys?: AppKeyVerifier,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.appKeys) this.logger.warn('no AppKeyVerifier is bound: voicebox routes answer 503');
    for (const [name, verifier] of [
      ['JWT_AUDIENCE', this.verifiers.inbound],
      ['API_AUTH_AUDIENCE', this.verifiers.publicApi],
    ] as const) {
      if (verifier && !verifier.config.audience) {
        this.logger.warn(`${name} is not set: tokens for any audience of the issuer are accepted`);
      }
    }
  }

  // A route's policy never changes: read its metadata once per handler, not on every request.
  private readonly policies = new WeakMap<object, AuthPolicy | null>();

  // Not async: a public route (probes, docs) is let through without a promise or a metadata lookup,
  // and a voicebox request whose credentials are already verified (cached) without one either
  // (measured, A/B in one run on bench:http's cores: the async path cost ~3.5 µs of a ~55 µs
  // app-key request; BENCHMARKS.md).
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const policy = this.policyOf(context);
    if (policy?.kind === 'public') return true;
    if (policy?.kind !== 'voicebox') return this.authenticate(context, policy);
    const request = context.switchToHttp().getRequest<AuthRequest>();
    return thenOrNow(this.voiceboxIdentity(request, policy), (identity) => {
      request.identity = identity;
      return true;
    });
  }

  private policyOf(context: ExecutionContext): AuthPolicy | null {
    const handler = context.getHandler();
    let policy = this.policies.get(handler);
    if (policy === undefined) {
      policy =
        this.reflector.getAllAndOverride<AuthPolicy | undefined>(AUTH_POLICY, [
          handler,
          context.getClass(),
        ]) ?? null;
      this.policies.set(handler, policy);
    }
    return policy;
  }

  /** The policies canActivate does not settle itself (public and voicebox routes it does). */
  private async authenticate(
    context: ExecutionContext,
    policy: Exclude<AuthPolicy, { kind: 'public' | 'voicebox' }> | null,
  ): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthRequest>();
    if (!policy) {
      throw new DomainError('forbidden', 'auth.no_policy', 'This route declares no access policy');
    }
    switch (policy.kind) {
      case 'jwt':
        request.identity = await this.jwtIdentity(request, policy.scopes);
        return true;
      case 'admin':
        request.identity = await this.throttledAdminIdentity(request);
        return true;
    }
  }

  private async jwtIdentity(request: AuthRequest, scopes: readonly string[]): Promise<Identity> {
    const token = bearerTokenOf(request);
    const jwt = await this.verifyInbound(token, scopes);
    return { kind: 'jwt', subject: jwt.subject, scopes: jwt.scopes, claims: jwt.claims, token };
  }

  /** Admin credentials, with guessing slowed down per client address. */
  private async throttledAdminIdentity(request: AuthRequest): Promise<Identity> {
    const address = request.ip;
    this.adminThrottle.assertAllowed(address);
    try {
      const identity = await this.adminIdentity(request);
      this.adminThrottle.recordSuccess(address);
      return identity;
    } catch (err) {
      if (isRefusedCredential(err)) {
        this.adminThrottle.recordFailure(address);
        this.logger.warn({ address, code: (err as DomainError).code }, 'admin credential refused');
      }
      throw err;
    }
  }

  private async adminIdentity(request: AuthRequest): Promise<Identity> {
    const { token: adminToken, scope } = this.config.admin;
    if (!adminToken && !this.verifiers.inbound) {
      throw authNotConfigured(
        'admin_disabled',
        'admin API disabled: set VOICEBOX_ADMIN_TOKEN or JWT_*',
      );
    }
    const token = bearerTokenOf(request);
    if (adminToken && sameSecret(token, adminToken)) return { kind: 'admin-token' };
    if (!this.verifiers.inbound)
      throw invalidToken('invalid_admin_token', 'not a valid admin token');
    const jwt = await this.verifyInbound(token, [scope]);
    return { kind: 'jwt', subject: jwt.subject, scopes: jwt.scopes, claims: jwt.claims, token };
  }

  /** Without a promise when every credential is already verified; else a promise. */
  private voiceboxIdentity(
    request: AuthRequest,
    policy: VoiceboxPolicy,
  ): Identity | Promise<Identity> {
    const { apiAuth, jwt: jwtConfig } = this.config;
    const token = bearerTokenOf(request);
    if (!apiAuth.enabled && !jwtConfig.required) {
      return this.keyedIdentity(request, policy, token, undefined);
    }
    // Public-API JWT mode: the bearer is the user's IdP token; the app key is in X-Voicebox-App-Key.
    return thenOrNow(this.userJwt(token), (jwt) => {
      const header = headerOf(request, 'x-voicebox-app-key');
      if (header === undefined || header === '') {
        throw missingCredentials('The app key is required in X-Voicebox-App-Key');
      }
      return this.keyedIdentity(request, policy, header, { jwt, token });
    });
  }

  /** Public-API JWT mode: the user's token against API_AUTH_* and, if JWT_REQUIRED, JWT_* too. */
  private userJwt(token: string): VerifiedJwt | Promise<VerifiedJwt> {
    const { apiAuth, jwt: jwtConfig } = this.config;
    if (!apiAuth.enabled) return this.verifyInbound(token, []);
    const user = this.verifyWith(
      this.verifiers.publicApi,
      token,
      apiAuth.requiredScopes,
      'API_AUTH_*',
    );
    if (!jwtConfig.required) return user;
    return thenOrNow(user, (verified) => thenOrNow(this.verifyInbound(token, []), () => verified));
  }

  private keyedIdentity(
    request: AuthRequest,
    policy: VoiceboxPolicy,
    appKey: string,
    user: { jwt: VerifiedJwt; token: string } | undefined,
  ): Identity | Promise<Identity> {
    if (!appKey.startsWith(APP_KEY_PREFIX)) {
      throw invalidToken('not_an_app_key', 'expected a Voicebox app key (sdc_...)');
    }
    const identityOf = (verifiedKey: VerifiedAppKey): Identity => {
      const clientId =
        policy.anyUser && !headerOf(request, 'x-client-id')
          ? ''
          : clientIdOf(request, policy.userField);
      const sdAuthToken = headerOf(request, 'x-sd-auth-token');
      return {
        kind: 'app-key',
        app: verifiedKey.app,
        keyId: verifiedKey.keyId,
        appKey,
        clientId,
        subject: user?.jwt.subject,
        scopes: user?.jwt.scopes ?? [],
        userToken: user?.token,
        sdAuthToken: sdAuthToken === '' ? undefined : sdAuthToken,
      };
    };
    const known = this.appKeys?.verifiedNow(appKey);
    return known ? identityOf(known) : this.verifyAppKey(appKey).then(identityOf);
  }

  private async verifyAppKey(rawKey: string) {
    const unavailable = (cause?: unknown) =>
      new DomainError('unavailable', 'auth.app_keys_unavailable', 'App keys cannot be checked', {
        cause,
      });
    if (!this.appKeys) throw unavailable();
    let verified;
    try {
      verified = await this.appKeys.verify(rawKey);
    } catch (err) {
      if (err instanceof DomainError) throw err;
      throw unavailable(err);
    }
    if (!verified) throw invalidToken('invalid_app_key', 'unknown, expired or revoked app key');
    return verified;
  }

  /** JWT_* validation plus JWT_REQUIRED_SCOPE and the route's own scopes. */
  private verifyInbound(
    token: string,
    scopes: readonly string[],
  ): VerifiedJwt | Promise<VerifiedJwt> {
    return this.verifyWith(
      this.verifiers.inbound,
      token,
      [...this.config.jwt.requiredScopes, ...scopes],
      'JWT_JWKS_URI and JWT_ISSUER',
    );
  }

  /** A token verified before (cached) is judged without a promise. */
  private verifyWith(
    verifier: JwtVerifier | undefined,
    token: string,
    required: readonly string[],
    settings: string,
  ): VerifiedJwt | Promise<VerifiedJwt> {
    if (!verifier) {
      throw authNotConfigured(
        'jwt_disabled',
        `JWT authentication is not configured: set ${settings}`,
      );
    }
    return thenOrNow(verifier.verifiedNow(token) ?? verifier.verify(token), (jwt) => {
      const missing = missingScopes(jwt.scopes, required);
      if (missing.length > 0) throw insufficientScope(missing);
      return jwt;
    });
  }
}

/** `f(value)` at once when `value` is already there, else once the promise resolves. */
function thenOrNow<T, U>(value: T | Promise<T>, f: (v: T) => U | Promise<U>): U | Promise<U> {
  return value instanceof Promise ? value.then(f) : f(value);
}

/** A credential was presented and refused: a guess. (Not: none sent, or admin not configured.) */
function isRefusedCredential(err: unknown): boolean {
  return (
    err instanceof DomainError &&
    err.kind === 'unauthenticated' &&
    !['auth.missing_token', 'auth.admin_disabled', 'auth.jwt_disabled'].includes(err.code)
  );
}
