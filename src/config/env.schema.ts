import { z } from 'zod';
import { envBool, envEnum, envInt, envList, envString, envUrl } from './env-parsers.js';

/**
 * Every environment variable the service reads: the names and defaults existing Voicebox
 * deployments already use, plus our own (both documented in the README). Grouped by capability; each
 * group is parsed as a whole so that cross-field rules name the variable that is missing.
 */
export const JWT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
] as const;

/** Token-exchange dialects (token-exchange/exchange-grants.ts). */
export const TOKEN_EXCHANGE_PROVIDERS = ['okta', 'rfc8693', 'entra'] as const;
export type TokenExchangeProviderName = (typeof TOKEN_EXCHANGE_PROVIDERS)[number];

/** The samplers of OTEL_TRACES_SAMPLER this service builds (observability/tracing.ts). */
export const OTEL_TRACES_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type OtelTracesSampler = (typeof OTEL_TRACES_SAMPLERS)[number];

export const LOG_TYPES = ['JSON', 'TEXT'] as const;
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR'] as const;

const algorithms = () =>
  envList(['RS256']).superRefine((list, ctx) => {
    for (const alg of list) {
      if (!(JWT_ALGORITHMS as readonly string[]).includes(alg)) {
        ctx.addIssue({
          code: 'custom',
          message: `"${alg}" is not an asymmetric JWS algorithm (allowed: ${JWT_ALGORITHMS.join(', ')})`,
        });
      }
    }
  });

export const envSchema = z
  .object({
    // Server (ours)
    HOST: envString(),
    PORT: envInt(8000, 1, 65535),
    VOICEBOX_BODY_LIMIT_BYTES: envInt(1_048_576, 1024, 100 * 1_048_576),
    VOICEBOX_SHUTDOWN_TIMEOUT_SECONDS: envInt(25, 1, 3600),
    VOICEBOX_TRUST_PROXY: envBool(false),
    VOICEBOX_DATA_DIR: envString(),
    // Prometheus scrape listener (ours): its own port, never the public one; 0 turns it off
    METRICS_PORT: envInt(9464, 0, 65535),
    METRICS_HOST: envString(),
    // Logging (contract)
    LOG_TYPE: envEnum(LOG_TYPES, 'JSON'),
    LOG_LEVEL: envEnum(LOG_LEVELS, 'INFO'),
    // Access log (ours): share of fast 2xx/3xx lines written; 4xx, 5xx and slow requests always are
    VOICEBOX_ACCESS_LOG_SAMPLE_PERCENT: envInt(100, 0, 100),
    VOICEBOX_ACCESS_LOG_SLOW_MS: envInt(1000, 0, 3_600_000),
    // Configuration file (contract)
    VBX_CONFIG_FILE: envString(),
    // Inbound JWT (contract)
    REQUIRE_JWT_AUTH: envBool(false),
    JWT_ISSUER: envString(),
    JWT_JWKS_URI: envUrl(),
    JWT_AUDIENCE: envString(),
    JWT_REQUIRED_SCOPE: envString(),
    JWT_SCOPE_CLAIM_NAME: envString(),
    JWT_SUBJECT_CLAIM_NAME: envString(),
    JWT_ALLOWED_ALGORITHMS: algorithms(),
    // Leeway is capped: a large leeway turns an expired token back into a valid one.
    JWT_LEEWAY_SECONDS: envInt(60, 0, 300),
    JWKS_CACHE_TTL: envInt(3600, 1, 7 * 24 * 3600),
    // Public-API JWT mode (contract)
    API_AUTH_JWT_ENABLED: envBool(false),
    API_AUTH_JWKS_URI: envUrl(),
    API_AUTH_ISSUER: envString(),
    API_AUTH_AUDIENCE: envString(),
    API_AUTH_REQUIRED_SCOPES: envList([]),
    API_AUTH_SCOPE_CLAIM_NAME: envString(),
    API_AUTH_JWT_ALGORITHMS: algorithms(),
    API_AUTH_ACCESS_TOKEN_IDP: envString(),
    // Auth: admin API and JWKS tuning (ours)
    VOICEBOX_ADMIN_TOKEN: envString(),
    VOICEBOX_ADMIN_SCOPE: envString(),
    // Refused admin credentials per client address and minute before 429 (0: never slowed down)
    VOICEBOX_ADMIN_AUTH_MAX_FAILURES: envInt(10, 0, 1_000_000),
    // An unknown kid refetches the JWKS at most once per cool-down: random kids cannot amplify.
    JWKS_REFETCH_COOLDOWN_SECONDS: envInt(30, 0, 3600),
    JWKS_FETCH_TIMEOUT_MS: envInt(5000, 100, 60_000),
    // Token exchange toward the LLM gateway (contract)
    TOKEN_EXCHANGE_PROVIDER: envEnum(TOKEN_EXCHANGE_PROVIDERS),
    OKTA_CLIENT_ID: envString(),
    OKTA_CLIENT_SECRET: envString(),
    OKTA_PRIVATE_KEY_PATH: envString(),
    // Ours: the `kid` of the private-key JWT (default: the key's RFC 7638 thumbprint).
    OKTA_PRIVATE_KEY_ID: envString(),
    OKTA_DISCOVERY_URL: envUrl(),
    OKTA_LLM_GATEWAY_AUDIENCE: envString(),
    OKTA_LLM_GATEWAY_SCOPE: envString(),
    TOKEN_CACHE_TTL_SECONDS: envInt(3600, 1),
    TOKEN_CACHE_EXPIRY_BUFFER_SECONDS: envInt(300, 0),
    // Ours: exchanged tokens kept (both hops together), and how long one exchange may take.
    TOKEN_CACHE_MAX_ENTRIES: envInt(10_000, 1, 10_000_000),
    TOKEN_EXCHANGE_TIMEOUT_MS: envInt(5000, 100, 60_000),
    // Gateway-to-Voicebox exchange, the gateway side (contract)
    OKTA_AUTHORIZATION_SERVER_ID: envString(),
    OKTA_AUTHORIZATION_SERVER_AUDIENCE: envString(),
    OKTA_BACKEND_CLIENT_ID: envString(),
    OKTA_BACKEND_CLIENT_SECRET: envString(),
    OKTA_BACKEND_CLIENT_PRIVATE_KEY_FILE: envString(),
    OKTA_BACKEND_CLIENT_PRIVATE_KEY_ID: envString(),
    OKTA_DOMAIN: envString().refine((v) => v === undefined || isOktaDomain(v), {
      message: 'must be a host name (dev-123.okta.com) or an http(s) URL without a path',
    }),
    VOICEBOX_SERVICE_ENDPOINT: envUrl().refine(
      (v) => v === undefined || (!v.includes('?') && !v.includes('#')),
      { message: 'must be the base URL of the Voicebox Service, without a query or fragment' },
    ),
    VOICEBOX_SERVICE_SCOPE: envString(),
    // Ours: how long the gateway waits for the Voicebox Service's answer (a stream: its first line).
    VOICEBOX_SERVICE_TIMEOUT_SECONDS: envInt(300, 1, 3600),
    // LLM credentials (contract); which ones are required depends on the JSON configuration.
    OPENAI_API_KEY: envString(),
    AZURE_API_KEY: envString(),
    AWS_ACCESS_KEY_ID: envString(),
    AWS_SECRET_ACCESS_KEY: envString(),
    BEDROCK_PROFILE: envString(),
    BEDROCK_REGION: envString(),
    DATABRICKS_API_KEY: envString(),
    FIREWORKS_API_KEY: envString(),
    GOOGLE_APPLICATION_CREDENTIALS: envString(),
    // Feature switches and tuning (contract)
    VOICEBOX_THREE_ENABLED: envBool(false),
    VOICEBOX_SUGGESTIONS_ENABLED: envBool(false),
    VOICEBOX_QUERY_EXEC_TIMEOUT_SECONDS: envInt(60, 1, 3600),
    VOICEBOX_QUERY_MAX_RESULTS: envInt(100_000, 1),
    // Ours: bytes of a store's answer read before it is refused (502 kg.answer_too_large)
    VOICEBOX_QUERY_MAX_RESPONSE_BYTES: envInt(64 * 1_048_576, 1024, 1024 * 1_048_576),
    // LLM calls: timeout and retry policy (ours)
    LLM_TIMEOUT_SECONDS: envInt(60, 1, 3600),
    LLM_MAX_RETRIES: envInt(2, 0, 10),
    LLM_RETRY_BASE_DELAY_MS: envInt(500, 1, 60_000),
    LLM_RETRY_MAX_DELAY_SECONDS: envInt(20, 1, 600),
    // Persistence: apps, connections, app keys (ours). Both are secrets: messages never echo them.
    DATABASE_URL: envString().refine((v) => v === undefined || isPostgresUrl(v), {
      message: 'must be a postgres:// or postgresql:// URL',
    }),
    VOICEBOX_SECRET_KEY: envString().refine((v) => v === undefined || parseSecretKey(v) !== null, {
      message: 'must be 32 bytes, written as 64 hex digits or as base64',
    }),
    // Rate limits (ours): requests per window, per app key and per app's client id; 0 = no limit
    VOICEBOX_RATE_LIMIT_PER_KEY: envInt(0, 0),
    VOICEBOX_RATE_LIMIT_PER_CLIENT: envInt(0, 0),
    VOICEBOX_RATE_LIMIT_WINDOW_SECONDS: envInt(60, 1, 3600),
    // Knowledge graph (ours): SERVICE allow-list, schema cache, the embedded store
    VOICEBOX_SPARQL_SERVICE_ALLOWLIST: envList([]),
    VOICEBOX_SCHEMA_CACHE_TTL_SECONDS: envInt(600, 0, 7 * 24 * 3600),
    // Ours: connection endpoints on link-local / cloud metadata addresses (refused unless on)
    VOICEBOX_ALLOW_LINK_LOCAL_ENDPOINTS: envBool(false),
    VOICEBOX_EMBEDDED_DEMO: envBool(true),
    VOICEBOX_EMBEDDED_RDF_FILES: envList([]),
    VOICEBOX_EMBEDDED_STORE_PATH: envString(),
    // OpenTelemetry tracing (the SDK's standard names): without an endpoint no SDK is started
    OTEL_SDK_DISABLED: envBool(false),
    OTEL_SERVICE_NAME: envString(),
    OTEL_EXPORTER_OTLP_ENDPOINT: envUrl(),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: envUrl(),
    // Values are often credentials: they are scrubbed from logs and never echoed.
    OTEL_EXPORTER_OTLP_HEADERS: envString().refine(
      (v) => v === undefined || parseOtlpHeaders(v) !== null,
      { message: 'must be name=value pairs separated by commas (values percent-encoded)' },
    ),
    OTEL_TRACES_SAMPLER: envEnum(OTEL_TRACES_SAMPLERS, 'parentbased_always_on'),
    OTEL_TRACES_SAMPLER_ARG: envString().refine(
      (v) => v === undefined || (/^\s*(0|1|0?\.\d+|1\.0*)\s*$/.test(v) && Number(v) <= 1),
      { message: 'must be a ratio between 0 and 1' },
    ),
    OTEL_BSP_SCHEDULE_DELAY: envInt(5000, 1, 600_000),
  })
  .superRefine((env, ctx) => {
    const need = (when: boolean, name: keyof typeof env, why: string) => {
      if (when && env[name] === undefined) {
        ctx.addIssue({ code: 'custom', path: [name], message: `is required ${why}` });
      }
    };
    if (env.METRICS_PORT === env.PORT) {
      ctx.addIssue({
        code: 'custom',
        path: ['METRICS_PORT'],
        message: `must differ from PORT (${env.PORT}): metrics are not served on the public port`,
      });
    }
    const jwt = 'when REQUIRE_JWT_AUTH=true';
    need(env.REQUIRE_JWT_AUTH, 'JWT_JWKS_URI', jwt);
    need(env.REQUIRE_JWT_AUTH, 'JWT_ISSUER', jwt);
    const api = 'when API_AUTH_JWT_ENABLED=true';
    need(env.API_AUTH_JWT_ENABLED, 'API_AUTH_JWKS_URI', api);
    need(env.API_AUTH_JWT_ENABLED, 'API_AUTH_ISSUER', api);
    if (env.VOICEBOX_ADMIN_TOKEN !== undefined && env.VOICEBOX_ADMIN_TOKEN.length < 16) {
      // A short static token is guessable; the value itself is never echoed.
      ctx.addIssue({
        code: 'custom',
        path: ['VOICEBOX_ADMIN_TOKEN'],
        message: 'must be at least 16 characters long',
      });
    }
    const exchange = env.TOKEN_EXCHANGE_PROVIDER !== undefined;
    const tx = `when TOKEN_EXCHANGE_PROVIDER=${env.TOKEN_EXCHANGE_PROVIDER}`;
    need(exchange, 'OKTA_CLIENT_ID', tx);
    need(exchange, 'OKTA_DISCOVERY_URL', tx);
    need(exchange, 'OKTA_LLM_GATEWAY_AUDIENCE', tx);
    if (
      exchange &&
      env.OKTA_CLIENT_SECRET === undefined &&
      env.OKTA_PRIVATE_KEY_PATH === undefined
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['OKTA_CLIENT_SECRET'],
        message: `or OKTA_PRIVATE_KEY_PATH is required ${tx}`,
      });
    }
    // The exchange starts from the user's own token: without a JWT mode there is none to exchange.
    const userToken = env.API_AUTH_JWT_ENABLED || env.REQUIRE_JWT_AUTH;
    if (exchange && !userToken) {
      ctx.addIssue({
        code: 'custom',
        path: ['TOKEN_EXCHANGE_PROVIDER'],
        message: "needs the user's token: set API_AUTH_JWT_ENABLED=true or REQUIRE_JWT_AUTH=true",
      });
    }
    const gw = 'when VOICEBOX_SERVICE_ENDPOINT is set';
    const gateway = env.VOICEBOX_SERVICE_ENDPOINT !== undefined;
    need(gateway, 'OKTA_DOMAIN', gw);
    need(gateway, 'OKTA_AUTHORIZATION_SERVER_ID', gw);
    need(gateway, 'OKTA_AUTHORIZATION_SERVER_AUDIENCE', gw);
    need(gateway, 'OKTA_BACKEND_CLIENT_ID', gw);
    need(gateway, 'VOICEBOX_SERVICE_SCOPE', gw);
    if (
      gateway &&
      env.OKTA_BACKEND_CLIENT_SECRET === undefined &&
      env.OKTA_BACKEND_CLIENT_PRIVATE_KEY_FILE === undefined
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['OKTA_BACKEND_CLIENT_SECRET'],
        message: `or OKTA_BACKEND_CLIENT_PRIVATE_KEY_FILE is required ${gw}`,
      });
    }
    if (gateway && !userToken) {
      ctx.addIssue({
        code: 'custom',
        path: ['VOICEBOX_SERVICE_ENDPOINT'],
        message: "needs the user's token: set API_AUTH_JWT_ENABLED=true or REQUIRE_JWT_AUTH=true",
      });
    }
    if (env.TOKEN_CACHE_EXPIRY_BUFFER_SECONDS >= env.TOKEN_CACHE_TTL_SECONDS) {
      ctx.addIssue({
        code: 'custom',
        path: ['TOKEN_CACHE_EXPIRY_BUFFER_SECONDS'],
        message: 'must be smaller than TOKEN_CACHE_TTL_SECONDS',
      });
    }
  });

export type RawEnv = z.output<typeof envSchema>;

function isOktaDomain(v: string): boolean {
  if (/^[A-Za-z0-9.-]+(:\d+)?$/.test(v)) return true;
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.pathname === '/' && !u.search;
  } catch {
    return false;
  }
}

function isPostgresUrl(v: string): boolean {
  try {
    return ['postgres:', 'postgresql:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
}

/** VOICEBOX_SECRET_KEY: an AES-256 key, 64 hex digits or base64(url) of 32 bytes; null if neither. */
export function parseSecretKey(v: string): Buffer | null {
  const s = v.trim();
  if (/^[0-9a-fA-F]{64}$/.test(s)) return Buffer.from(s, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(s)) {
    const key = Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return key.length === 32 ? key : null;
  }
  return null;
}

/**
 * Names whose values are secrets: never echoed in a configuration error, and scrubbed from every log
 * line should one slip into a message.
 */
export const SECRET_ENV_NAMES = [
  'OKTA_CLIENT_SECRET',
  'OKTA_BACKEND_CLIENT_SECRET',
  'OPENAI_API_KEY',
  'AZURE_API_KEY',
  'AWS_SECRET_ACCESS_KEY',
  'DATABRICKS_API_KEY',
  'FIREWORKS_API_KEY',
  'VOICEBOX_ADMIN_TOKEN',
  'VOICEBOX_SECRET_KEY',
  'DATABASE_URL',
] as const;

/**
 * OTEL_EXPORTER_OTLP_HEADERS as the OpenTelemetry specification writes it (W3C baggage style:
 * `name=value,name2=value2`, values percent-encoded); null when it is not that.
 */
export function parseOtlpHeaders(v: string): Record<string, string> | null {
  const headers: Record<string, string> = {};
  for (const part of v.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    const name = part.slice(0, eq).trim();
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) return null;
    try {
      headers[name.toLowerCase()] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return null;
    }
  }
  return headers;
}
