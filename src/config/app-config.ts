import type { LlmProviderName } from './vbx-config.schema.js';
import type { HeaderTemplate } from './header-template.js';
import type { OtelTracesSampler, TokenExchangeProviderName } from './env.schema.js';

export type LogType = 'JSON' | 'TEXT';
export type LogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';

export interface LlmConfig {
  provider: LlmProviderName;
  model: string;
  serverUrl?: string;
  maxTokens: number;
  temperature?: number;
  /** Header templates, environment already applied; `$VOICEBOX_USER` is filled per request. */
  headers: Record<string, HeaderTemplate>;
  providerArgs: Record<string, unknown>;
}

export interface JwtValidationConfig {
  jwksUri?: string;
  issuer?: string;
  audience?: string;
  requiredScopes: string[];
  /** Claims searched for scopes, in order (array or space-separated string). */
  scopeClaimNames: string[];
  subjectClaimName: string;
  algorithms: string[];
  leewaySeconds: number;
  jwksCacheTtlSeconds: number;
}

/**
 * The whole configuration, parsed and validated once at start-up and injected typed. An abstract
 * class serves as the injection token, so consumers write `constructor(config: AppConfig)`.
 */
export abstract class AppConfig {
  abstract readonly server: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    shutdownTimeoutMs: number;
    trustProxy: boolean;
    dataDir: string;
  };
  /** Where `/metrics` is served: a listener of its own, not the public port; port 0: not served. */
  abstract readonly metrics: { host: string; port: number };
  abstract readonly logging: { type: LogType; level: LogLevel };
  /** The one-line-per-request log: which fast successful requests are written (every other one is). */
  abstract readonly accessLog: { samplePercent: number; slowMs: number };
  /** Inbound JWT on every route (REQUIRE_JWT_AUTH and JWT_*). */
  abstract readonly jwt: JwtValidationConfig & { required: boolean };
  /** Public-API JWT mode (API_AUTH_*): user token in Authorization, app key in X-Voicebox-App-Key. */
  abstract readonly apiAuth: JwtValidationConfig & { enabled: boolean; accessTokenIdp?: string };
  /** Admin API credentials: a JWT with `scope` (JWT_* settings) or the static bootstrap token. */
  abstract readonly admin: {
    token?: string;
    scope: string;
    /** Refused admin credentials per client address and minute before 429 (0: off). */
    maxFailuresPerMinute: number;
  };
  /** JWKS fetching, shared by the JWT_* and API_AUTH_* validators. */
  abstract readonly jwks: { refetchCooldownSeconds: number; fetchTimeoutMs: number };
  /** Token exchange (TOKEN_EXCHANGE_PROVIDER, OKTA_*): the hop toward the LLM gateway, and the cache. */
  abstract readonly tokenExchange: {
    provider?: TokenExchangeProviderName;
    clientId?: string;
    clientSecret?: string;
    privateKeyPath?: string;
    privateKeyId?: string;
    discoveryUrl?: string;
    audience?: string;
    scope?: string;
    cacheTtlSeconds: number;
    expiryBufferSeconds: number;
    cacheMaxEntries: number;
    timeoutMs: number;
  };
  /** Split deployment, the gateway side: VOICEBOX_SERVICE_ENDPOINT set forwards the voicebox work. */
  abstract readonly gateway: {
    authorizationServerId?: string;
    authorizationServerAudience?: string;
    backendClientId?: string;
    backendClientSecret?: string;
    backendClientPrivateKeyFile?: string;
    backendClientPrivateKeyId?: string;
    oktaDomain?: string;
    serviceEndpoint?: string;
    serviceScope?: string;
    serviceTimeoutMs: number;
  };
  abstract readonly llmCredentials: {
    openaiApiKey?: string;
    azureApiKey?: string;
    awsAccessKeyId?: string;
    awsSecretAccessKey?: string;
    bedrockProfile?: string;
    bedrockRegion?: string;
    databricksApiKey?: string;
    fireworksApiKey?: string;
    googleApplicationCredentials?: string;
  };
  abstract readonly features: {
    thinkMode: boolean;
    suggestions: boolean;
    externalLlm: boolean;
    analytics: boolean;
    charts: boolean;
  };
  /** Requests per window per app key and per (app, X-Client-Id); 0: no limit. */
  abstract readonly rateLimit: { perKey: number; perClient: number; windowSeconds: number };
  abstract readonly query: {
    execTimeoutSeconds: number;
    maxResults: number;
    /** Bytes of a store's answer read before it is refused (VOICEBOX_QUERY_MAX_RESPONSE_BYTES). */
    maxResponseBytes: number;
  };
  abstract readonly knowledgeGraph: {
    /** SERVICE endpoints a query may call (exact IRIs); empty: no federation at all. */
    serviceAllowlist: string[];
    schemaCacheTtlSeconds: number;
    /** Connection endpoints may be link-local or cloud metadata addresses (VOICEBOX_ALLOW_LINK_LOCAL_ENDPOINTS). */
    allowLinkLocalEndpoints: boolean;
    embedded: {
      /** Load the CK25 demo graph (data/ck25) into the embedded store. */
      demo: boolean;
      /** Extra RDF files (absolute paths) loaded into the embedded store. */
      rdfFiles: string[];
      /** Folder of the embedded store's N-Quads snapshot; unset: memory only. */
      storePath?: string;
    };
  };
  /** From VBX_CONFIG_FILE; null when no file is configured (the service then runs without an LLM). */
  abstract readonly llm: { configFile?: string; default: LlmConfig; external?: LlmConfig } | null;
  /** Timeout and retry policy of every LLM call (LLM_* tuning variables). */
  abstract readonly llmTuning: {
    timeoutMs: number;
    maxRetries: number;
    retryBaseDelayMs: number;
    /** A longer Retry-After (or backoff) is not waited for: the call fails with 429 at once. */
    retryMaxDelayMs: number;
  };
  /** PostgreSQL: external when `url` (DATABASE_URL) is set, else embedded under server.dataDir. */
  abstract readonly database: {
    url?: string;
    /** VOICEBOX_SECRET_KEY: encrypts stored connection secrets (AES-256-GCM). */
    secretKey?: Buffer;
  };
  /**
   * OpenTelemetry tracing (OTEL_*): `endpoint` is the full OTLP/HTTP traces URL; undefined when no
   * endpoint is configured or OTEL_SDK_DISABLED=true, and then no SDK is started.
   */
  abstract readonly tracing: {
    endpoint?: string;
    serviceName: string;
    headers: Record<string, string>;
    sampler: OtelTracesSampler;
    samplerRatio: number;
    batchDelayMs: number;
  };
  /** Secret values to scrub from any log line, whatever their source. */
  abstract readonly secretValues: readonly string[];
}
