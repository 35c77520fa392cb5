import { existsSync, readFileSync } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import type { AppConfig, JwtValidationConfig, LlmConfig } from './app-config.js';
import {
  SECRET_ENV_NAMES,
  envSchema,
  parseOtlpHeaders,
  parseSecretKey,
  type RawEnv,
} from './env.schema.js';
import { HeaderTemplate, HeaderTemplateError } from './header-template.js';
import { vbxConfigSchema, type RawLlmConfig } from './vbx-config.schema.js';

/** One problem, already phrased for a single log line: where, and why. */
export interface ConfigProblem {
  where: string;
  reason: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map((p) => `${p.where}: ${p.reason}`).join('; '));
    this.name = 'ConfigError';
  }

  /** One plain line per problem, for stderr before any logger exists (the service and the CLI). */
  toLines(): string {
    return this.problems.map((p) => `configuration error: ${p.where}: ${p.reason}\n`).join('');
  }
}

const DEFAULT_MAX_TOKENS = 4096;

/**
 * Parse and validate the environment and the VBX_CONFIG_FILE it names. Throws ConfigError listing
 * every problem; nothing else in the service reads process.env.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success)
    throw new ConfigError(zodProblems(parsed.error, (path) => String(path[0] ?? 'environment')));
  const e = parsed.data;

  const rdfFiles = e.VOICEBOX_EMBEDDED_RDF_FILES.map((f) => resolve(cwd, f));
  checkRdfFiles(rdfFiles);
  const llm = e.VBX_CONFIG_FILE ? loadLlmFile(e.VBX_CONFIG_FILE, env, e) : null;
  const secretValues = SECRET_ENV_NAMES.map((n) => env[n]).filter(
    (v): v is string => typeof v === 'string' && v.length >= 4,
  );
  const dbPassword = e.DATABASE_URL ? passwordOf(e.DATABASE_URL) : undefined;
  // The URL as a whole is scrubbed above; a driver message may quote the password alone.
  if (dbPassword && dbPassword.length >= 4) secretValues.push(dbPassword);
  for (const cfg of [llm?.default, llm?.external]) {
    // Header values often carry gateway keys: treat every rendered header as a secret.
    for (const t of Object.values(cfg?.headers ?? {})) {
      const v = t.render(undefined);
      if (v.length >= 8) secretValues.push(v);
    }
  }

  const otlpHeaders = e.OTEL_EXPORTER_OTLP_HEADERS
    ? parseOtlpHeaders(e.OTEL_EXPORTER_OTLP_HEADERS)
    : null;
  // An exporter header is usually an API key or a bearer token for the collector.
  for (const v of Object.values(otlpHeaders ?? {})) if (v.length >= 4) secretValues.push(v);

  const config: AppConfig = {
    server: {
      host: e.HOST ?? '0.0.0.0',
      port: e.PORT,
      bodyLimitBytes: e.VOICEBOX_BODY_LIMIT_BYTES,
      shutdownTimeoutMs: e.VOICEBOX_SHUTDOWN_TIMEOUT_SECONDS * 1000,
      trustProxy: e.VOICEBOX_TRUST_PROXY,
      dataDir: resolve(cwd, e.VOICEBOX_DATA_DIR ?? '.data'),
    },
    metrics: { host: e.METRICS_HOST ?? e.HOST ?? '0.0.0.0', port: e.METRICS_PORT },
    accessLog: {
      samplePercent: e.VOICEBOX_ACCESS_LOG_SAMPLE_PERCENT,
      slowMs: e.VOICEBOX_ACCESS_LOG_SLOW_MS,
    },
    logging: { type: e.LOG_TYPE ?? 'JSON', level: e.LOG_LEVEL ?? 'INFO' },
    jwt: {
      required: e.REQUIRE_JWT_AUTH,
      jwksUri: e.JWT_JWKS_URI,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      requiredScopes: e.JWT_REQUIRED_SCOPE ? [e.JWT_REQUIRED_SCOPE] : [],
      scopeClaimNames: [e.JWT_SCOPE_CLAIM_NAME ?? 'scp'],
      subjectClaimName: e.JWT_SUBJECT_CLAIM_NAME ?? 'sub',
      algorithms: e.JWT_ALLOWED_ALGORITHMS,
      leewaySeconds: e.JWT_LEEWAY_SECONDS,
      jwksCacheTtlSeconds: e.JWKS_CACHE_TTL,
    },
    apiAuth: {
      enabled: e.API_AUTH_JWT_ENABLED,
      jwksUri: e.API_AUTH_JWKS_URI,
      issuer: e.API_AUTH_ISSUER,
      audience: e.API_AUTH_AUDIENCE,
      requiredScopes: e.API_AUTH_REQUIRED_SCOPES,
      scopeClaimNames: e.API_AUTH_SCOPE_CLAIM_NAME
        ? [e.API_AUTH_SCOPE_CLAIM_NAME]
        : ['scp', 'scope'],
      subjectClaimName: e.JWT_SUBJECT_CLAIM_NAME ?? 'sub',
      algorithms: e.API_AUTH_JWT_ALGORITHMS,
      leewaySeconds: e.JWT_LEEWAY_SECONDS,
      jwksCacheTtlSeconds: e.JWKS_CACHE_TTL,
      accessTokenIdp: e.API_AUTH_ACCESS_TOKEN_IDP,
    } satisfies JwtValidationConfig & Record<string, unknown>,
    admin: {
      token: e.VOICEBOX_ADMIN_TOKEN,
      scope: e.VOICEBOX_ADMIN_SCOPE ?? 'voicebox:admin',
      maxFailuresPerMinute: e.VOICEBOX_ADMIN_AUTH_MAX_FAILURES,
    },
    jwks: {
      refetchCooldownSeconds: e.JWKS_REFETCH_COOLDOWN_SECONDS,
      fetchTimeoutMs: e.JWKS_FETCH_TIMEOUT_MS,
    },
    tokenExchange: {
      provider: e.TOKEN_EXCHANGE_PROVIDER,
      clientId: e.OKTA_CLIENT_ID,
      clientSecret: e.OKTA_CLIENT_SECRET,
      privateKeyPath: e.OKTA_PRIVATE_KEY_PATH && resolve(cwd, e.OKTA_PRIVATE_KEY_PATH),
      privateKeyId: e.OKTA_PRIVATE_KEY_ID,
      discoveryUrl: e.OKTA_DISCOVERY_URL,
      audience: e.OKTA_LLM_GATEWAY_AUDIENCE,
      scope: e.OKTA_LLM_GATEWAY_SCOPE,
      cacheTtlSeconds: e.TOKEN_CACHE_TTL_SECONDS,
      expiryBufferSeconds: e.TOKEN_CACHE_EXPIRY_BUFFER_SECONDS,
      cacheMaxEntries: e.TOKEN_CACHE_MAX_ENTRIES,
      timeoutMs: e.TOKEN_EXCHANGE_TIMEOUT_MS,
    },
    gateway: {
      authorizationServerId: e.OKTA_AUTHORIZATION_SERVER_ID,
      authorizationServerAudience: e.OKTA_AUTHORIZATION_SERVER_AUDIENCE,
      backendClientId: e.OKTA_BACKEND_CLIENT_ID,
      backendClientSecret: e.OKTA_BACKEND_CLIENT_SECRET,
      backendClientPrivateKeyFile:
        e.OKTA_BACKEND_CLIENT_PRIVATE_KEY_FILE &&
        resolve(cwd, e.OKTA_BACKEND_CLIENT_PRIVATE_KEY_FILE),
      backendClientPrivateKeyId: e.OKTA_BACKEND_CLIENT_PRIVATE_KEY_ID,
      oktaDomain: e.OKTA_DOMAIN,
      serviceEndpoint: e.VOICEBOX_SERVICE_ENDPOINT,
      serviceScope: e.VOICEBOX_SERVICE_SCOPE,
      serviceTimeoutMs: e.VOICEBOX_SERVICE_TIMEOUT_SECONDS * 1000,
    },
    llmCredentials: {
      openaiApiKey: e.OPENAI_API_KEY,
      azureApiKey: e.AZURE_API_KEY,
      awsAccessKeyId: e.AWS_ACCESS_KEY_ID,
      awsSecretAccessKey: e.AWS_SECRET_ACCESS_KEY,
      bedrockProfile: e.BEDROCK_PROFILE,
      bedrockRegion: e.BEDROCK_REGION,
      databricksApiKey: e.DATABRICKS_API_KEY,
      fireworksApiKey: e.FIREWORKS_API_KEY,
      googleApplicationCredentials: e.GOOGLE_APPLICATION_CREDENTIALS,
    },
    features: {
      thinkMode: e.VOICEBOX_THREE_ENABLED,
      suggestions: e.VOICEBOX_SUGGESTIONS_ENABLED,
      externalLlm: llm?.flags.enable_external_llm ?? false,
      analytics: llm?.flags.enable_analytics ?? true,
      charts: llm?.flags.enable_charts ?? true,
    },
    rateLimit: {
      perKey: e.VOICEBOX_RATE_LIMIT_PER_KEY,
      perClient: e.VOICEBOX_RATE_LIMIT_PER_CLIENT,
      windowSeconds: e.VOICEBOX_RATE_LIMIT_WINDOW_SECONDS,
    },
    query: {
      execTimeoutSeconds: e.VOICEBOX_QUERY_EXEC_TIMEOUT_SECONDS,
      maxResults: e.VOICEBOX_QUERY_MAX_RESULTS,
      maxResponseBytes: e.VOICEBOX_QUERY_MAX_RESPONSE_BYTES,
    },
    database: {
      url: e.DATABASE_URL,
      secretKey: e.VOICEBOX_SECRET_KEY
        ? (parseSecretKey(e.VOICEBOX_SECRET_KEY) ?? undefined)
        : undefined,
    },
    knowledgeGraph: {
      serviceAllowlist: e.VOICEBOX_SPARQL_SERVICE_ALLOWLIST,
      schemaCacheTtlSeconds: e.VOICEBOX_SCHEMA_CACHE_TTL_SECONDS,
      allowLinkLocalEndpoints: e.VOICEBOX_ALLOW_LINK_LOCAL_ENDPOINTS,
      embedded: {
        demo: e.VOICEBOX_EMBEDDED_DEMO,
        rdfFiles,
        storePath: e.VOICEBOX_EMBEDDED_STORE_PATH && resolve(cwd, e.VOICEBOX_EMBEDDED_STORE_PATH),
      },
    },
    llm: llm && { configFile: llm.configFile, default: llm.default, external: llm.external },
    llmTuning: {
      timeoutMs: e.LLM_TIMEOUT_SECONDS * 1000,
      maxRetries: e.LLM_MAX_RETRIES,
      retryBaseDelayMs: e.LLM_RETRY_BASE_DELAY_MS,
      retryMaxDelayMs: e.LLM_RETRY_MAX_DELAY_SECONDS * 1000,
    },
    tracing: {
      endpoint: e.OTEL_SDK_DISABLED ? undefined : otlpTracesUrl(e),
      serviceName: e.OTEL_SERVICE_NAME ?? 'voicebox-service',
      headers: otlpHeaders ?? {},
      sampler: e.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on',
      samplerRatio: e.OTEL_TRACES_SAMPLER_ARG === undefined ? 1 : Number(e.OTEL_TRACES_SAMPLER_ARG),
      batchDelayMs: e.OTEL_BSP_SCHEDULE_DELAY,
    },
    secretValues,
  };
  return config;
}

/**
 * The traces URL as the OpenTelemetry specification derives it: the signal-specific variable as
 * given, else `v1/traces` appended to the general endpoint.
 */
function otlpTracesUrl(e: RawEnv): string | undefined {
  if (e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (!e.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  return `${e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
}

function passwordOf(url: string): string | undefined {
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}

/** The RDF syntaxes the embedded store reads, by extension (see knowledge-graph/embedded). */
export const RDF_FILE_EXTENSIONS = ['.ttl', '.nt', '.nq', '.trig', '.n3', '.rdf', '.owl', '.xml'];

function checkRdfFiles(files: string[]): void {
  const problems = files.flatMap((file): ConfigProblem[] => {
    if (!RDF_FILE_EXTENSIONS.includes(extname(file).toLowerCase())) {
      const known = RDF_FILE_EXTENSIONS.join(' ');
      return [
        {
          where: 'VOICEBOX_EMBEDDED_RDF_FILES',
          reason: `${file}: unknown RDF extension (${known})`,
        },
      ];
    }
    return existsSync(file)
      ? []
      : [{ where: 'VOICEBOX_EMBEDDED_RDF_FILES', reason: `${file} does not exist` }];
  });
  if (problems.length > 0) throw new ConfigError(problems);
}

function loadLlmFile(file: string, env: NodeJS.ProcessEnv, e: RawEnv) {
  const where = (path: readonly PropertyKey[]) =>
    `VBX_CONFIG_FILE ${['$', ...path.map(String)].join('.')}`;
  if (!isAbsolute(file)) {
    throw new ConfigError([
      { where: 'VBX_CONFIG_FILE', reason: `must be an absolute path (got "${file}")` },
    ]);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'read error';
    throw new ConfigError([{ where: 'VBX_CONFIG_FILE', reason: `cannot read ${file} (${code})` }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([
      { where: 'VBX_CONFIG_FILE', reason: `${file} is not valid JSON: ${(err as Error).message}` },
    ]);
  }
  const parsed = vbxConfigSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(zodProblems(parsed.error, where));

  const problems: ConfigProblem[] = [];
  const build = (raw: RawLlmConfig, key: string): LlmConfig => {
    const headers: Record<string, HeaderTemplate> = {};
    for (const [name, value] of Object.entries(raw.provider_args?.headers ?? {})) {
      try {
        headers[name] = HeaderTemplate.compile(value, env);
      } catch (err) {
        if (!(err instanceof HeaderTemplateError)) throw err;
        problems.push({
          where: where([key, 'provider_args', 'headers', name]),
          reason: err.message,
        });
      }
    }
    if (e.TOKEN_EXCHANGE_PROVIDER && raw.llm_provider !== 'openai') {
      problems.push({
        where: where([key, 'llm_provider']),
        reason: `token exchange (TOKEN_EXCHANGE_PROVIDER=${e.TOKEN_EXCHANGE_PROVIDER}) is supported only with llm_provider "openai", not "${raw.llm_provider}"`,
      });
    }
    const providerArgs = { ...raw.provider_args };
    delete providerArgs.headers;
    return {
      provider: raw.llm_provider,
      model: raw.llm_name,
      serverUrl: raw.server_url,
      maxTokens: raw.max_tokens ?? DEFAULT_MAX_TOKENS,
      temperature: raw.temperature,
      headers,
      providerArgs,
    };
  };
  const def = build(parsed.data.default_llm_config, 'default_llm_config');
  const ext = parsed.data.external_llm_config
    ? build(parsed.data.external_llm_config, 'external_llm_config')
    : undefined;
  if (problems.length > 0) throw new ConfigError(problems);
  return { configFile: file, default: def, external: ext, flags: parsed.data };
}

function zodProblems(
  error: z.ZodError,
  where: (path: readonly PropertyKey[]) => string,
): ConfigProblem[] {
  return error.issues.map((issue) => {
    let reason = issue.message;
    if (issue.code === 'invalid_type' && /received undefined/.test(reason)) reason = 'is required';
    if (issue.code === 'unrecognized_keys') reason = `unknown field(s) ${issue.keys.join(', ')}`;
    return { where: where(issue.path), reason };
  });
}
