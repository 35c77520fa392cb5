import passport from 'passport';
import { Counter } from 'prom-client';
import type { AppConfig, JwtValidationConfig } from '../config/app-config.js';
import type { MetricsRegistry } from '../observability/metrics.registry.js';
import { JwksKeyStore } from './jwks-key-store.js';
import { JwtVerifier } from './jwt-verifier.js';

/**
 * The configured JWT validators: `inbound` (JWT_*: REQUIRE_JWT_AUTH, @Scopes routes, admin JWTs) and
 * `publicApi` (API_AUTH_*: the user's token in public-API JWT mode). Absent when not configured. Both
 * share one key store when they name the same JWKS URI.
 */
export class JwtVerifiers {
  constructor(
    readonly inbound: JwtVerifier | undefined,
    readonly publicApi: JwtVerifier | undefined,
  ) {}

  static fromConfig(config: AppConfig, metrics: MetricsRegistry): JwtVerifiers {
    const fetches = new Counter({
      name: 'voicebox_auth_jwks_fetches_total',
      help: 'JWKS fetch attempts, by outcome',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
    const stores = new Map<string, JwksKeyStore>();
    // This application's own passport registry, holding one named strategy per configuration.
    const registry = new passport.Passport();
    const build = (c: JwtValidationConfig, strategyName: string): JwtVerifier | undefined => {
      if (!c.jwksUri || !c.issuer) return undefined;
      let store = stores.get(c.jwksUri);
      if (!store) {
        store = new JwksKeyStore({
          uri: c.jwksUri,
          ttlMs: c.jwksCacheTtlSeconds * 1000,
          cooldownMs: config.jwks.refetchCooldownSeconds * 1000,
          timeoutMs: config.jwks.fetchTimeoutMs,
          onFetch: (outcome) => fetches.inc({ outcome }),
        });
        stores.set(c.jwksUri, store);
      }
      return new JwtVerifier(c, store, registry, strategyName);
    };
    return new JwtVerifiers(
      build(config.jwt, 'jwt'),
      config.apiAuth.enabled ? build(config.apiAuth, 'api-auth-jwt') : undefined,
    );
  }
}
