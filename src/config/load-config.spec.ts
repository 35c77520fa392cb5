import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.js';

const dir = mkdtempSync(join(tmpdir(), 'vbx-config-'));
let n = 0;
function file(content: unknown): string {
  const path = join(dir, `config-${n++}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.where}: ${p.reason}`);
    throw err;
  }
  throw new Error('expected a configuration error');
}

const openai = { llm_provider: 'openai', llm_name: 'gpt-4o' };

describe('loadConfig: environment', () => {
  it('starts with no variable at all, on the documented defaults', () => {
    const c = loadConfig({});
    expect(c.server.port).toBe(8000);
    expect(c.metrics).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(c.logging).toEqual({ type: 'JSON', level: 'INFO' });
    expect(c.jwt).toMatchObject({
      required: false,
      scopeClaimNames: ['scp'],
      subjectClaimName: 'sub',
      algorithms: ['RS256'],
      leewaySeconds: 60,
      jwksCacheTtlSeconds: 3600,
    });
    expect(c.apiAuth).toMatchObject({
      enabled: false,
      scopeClaimNames: ['scp', 'scope'],
      algorithms: ['RS256'],
    });
    expect(c.tokenExchange).toMatchObject({ cacheTtlSeconds: 3600, expiryBufferSeconds: 300 });
    expect(c.query).toEqual({
      execTimeoutSeconds: 60,
      maxResults: 100_000,
      maxResponseBytes: 64 * 1_048_576,
    });
    expect(c.features).toMatchObject({ thinkMode: false, suggestions: false });
    expect(c.llm).toBeNull();
  });

  it('reads the contract names', () => {
    const c = loadConfig({
      LOG_TYPE: 'text',
      LOG_LEVEL: 'warning',
      REQUIRE_JWT_AUTH: 'true',
      JWT_ISSUER: 'https://idp.example.com/oauth2/default',
      JWT_JWKS_URI: 'https://idp.example.com/oauth2/default/v1/keys',
      JWT_AUDIENCE: 'api://voicebox',
      JWT_REQUIRED_SCOPE: 'voicebox:read',
      JWT_SCOPE_CLAIM_NAME: 'scope',
      JWT_SUBJECT_CLAIM_NAME: 'uid',
      JWT_ALLOWED_ALGORITHMS: 'RS256,ES256',
      JWT_LEEWAY_SECONDS: '30',
      JWKS_CACHE_TTL: '600',
      API_AUTH_REQUIRED_SCOPES: 'a, b',
      VOICEBOX_THREE_ENABLED: '1',
      VOICEBOX_QUERY_MAX_RESULTS: '500',
    });
    expect(c.logging).toEqual({ type: 'TEXT', level: 'WARNING' });
    expect(c.jwt).toMatchObject({
      required: true,
      audience: 'api://voicebox',
      requiredScopes: ['voicebox:read'],
      scopeClaimNames: ['scope'],
      subjectClaimName: 'uid',
      algorithms: ['RS256', 'ES256'],
      leewaySeconds: 30,
      jwksCacheTtlSeconds: 600,
    });
    expect(c.apiAuth.requiredScopes).toEqual(['a', 'b']);
    expect(c.features.thinkMode).toBe(true);
    expect(c.query.maxResults).toBe(500);
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ PORT: '', LOG_LEVEL: ' ' }).server.port).toBe(8000);
  });

  it.each([
    [
      { LOG_LEVEL: 'VERBOSE' },
      'LOG_LEVEL: must be one of DEBUG, INFO, WARNING, ERROR (got "VERBOSE")',
    ],
    [{ LOG_TYPE: 'xml' }, 'LOG_TYPE: must be one of JSON, TEXT (got "xml")'],
    [{ PORT: '80a' }, 'PORT: must be an integer (got "80a")'],
    [{ JWT_LEEWAY_SECONDS: '3600' }, 'JWT_LEEWAY_SECONDS: must be between 0 and 300 (got 3600)'],
    [{ REQUIRE_JWT_AUTH: 'maybe' }, 'REQUIRE_JWT_AUTH: must be true or false (got "maybe")'],
    [
      { JWT_ALLOWED_ALGORITHMS: 'RS256,HS256' },
      'JWT_ALLOWED_ALGORITHMS: "HS256" is not an asymmetric JWS algorithm',
    ],
    [{ JWT_JWKS_URI: 'not a url' }, 'JWT_JWKS_URI: must be an absolute http(s) URL'],
    [{ REQUIRE_JWT_AUTH: 'true' }, 'JWT_JWKS_URI: is required when REQUIRE_JWT_AUTH=true'],
    [
      { API_AUTH_JWT_ENABLED: 'true' },
      'API_AUTH_ISSUER: is required when API_AUTH_JWT_ENABLED=true',
    ],
    [
      { TOKEN_EXCHANGE_PROVIDER: 'okta' },
      'OKTA_CLIENT_SECRET: or OKTA_PRIVATE_KEY_PATH is required when TOKEN_EXCHANGE_PROVIDER=okta',
    ],
    [
      { TOKEN_EXCHANGE_PROVIDER: 'auth0' },
      'TOKEN_EXCHANGE_PROVIDER: must be one of okta, rfc8693, entra (got "auth0")',
    ],
    [
      { TOKEN_EXCHANGE_PROVIDER: 'entra' },
      "TOKEN_EXCHANGE_PROVIDER: needs the user's token: set API_AUTH_JWT_ENABLED=true or REQUIRE_JWT_AUTH=true",
    ],
    [
      { VOICEBOX_SERVICE_ENDPOINT: 'http://voicebox:8000' },
      'OKTA_BACKEND_CLIENT_SECRET: or OKTA_BACKEND_CLIENT_PRIVATE_KEY_FILE is required when VOICEBOX_SERVICE_ENDPOINT is set',
    ],
    [
      { VOICEBOX_SERVICE_ENDPOINT: 'http://voicebox:8000' },
      'VOICEBOX_SERVICE_SCOPE: is required when VOICEBOX_SERVICE_ENDPOINT is set',
    ],
    [
      { VOICEBOX_SERVICE_ENDPOINT: 'voicebox:8000' },
      'VOICEBOX_SERVICE_ENDPOINT: must be an absolute http(s) URL',
    ],
    [
      { VOICEBOX_SERVICE_ENDPOINT: 'http://voicebox:8000/?x=1' },
      'VOICEBOX_SERVICE_ENDPOINT: must be the base URL of the Voicebox Service, without a query or fragment',
    ],
    [
      { VOICEBOX_SERVICE_ENDPOINT: 'http://voicebox:8000' },
      'OKTA_BACKEND_CLIENT_ID: is required when VOICEBOX_SERVICE_ENDPOINT is set',
    ],
    [
      { VOICEBOX_SERVICE_ENDPOINT: 'http://voicebox:8000' },
      "VOICEBOX_SERVICE_ENDPOINT: needs the user's token: set API_AUTH_JWT_ENABLED=true or REQUIRE_JWT_AUTH=true",
    ],
    [
      { VOICEBOX_SERVICE_TIMEOUT_SECONDS: '0' },
      'VOICEBOX_SERVICE_TIMEOUT_SECONDS: must be between 1',
    ],
    [
      { OKTA_DOMAIN: 'https://dev-1.okta.com/oauth2' },
      'OKTA_DOMAIN: must be a host name (dev-123.okta.com) or an http(s) URL without a path',
    ],
    [{ TOKEN_EXCHANGE_TIMEOUT_MS: '10' }, 'TOKEN_EXCHANGE_TIMEOUT_MS: must be between 100'],
    [
      { TOKEN_CACHE_TTL_SECONDS: '60', TOKEN_CACHE_EXPIRY_BUFFER_SECONDS: '300' },
      'TOKEN_CACHE_EXPIRY_BUFFER_SECONDS: must be smaller than TOKEN_CACHE_TTL_SECONDS',
    ],
    [
      { PORT: '9000', METRICS_PORT: '9000' },
      'METRICS_PORT: must differ from PORT (9000): metrics are not served on the public port',
    ],
    [{ METRICS_PORT: '70000' }, 'METRICS_PORT: must be between 0 and 65535 (got 70000)'],
    [
      { VOICEBOX_QUERY_EXEC_TIMEOUT_SECONDS: '0' },
      'VOICEBOX_QUERY_EXEC_TIMEOUT_SECONDS: must be between 1 and 3600 (got 0)',
    ],
  ])('refuses %j naming the variable', (env, expected) => {
    expect(problems(env as Record<string, string>).join('\n')).toContain(expected);
  });

  it('never echoes a secret value in a problem', () => {
    const out = problems({
      TOKEN_EXCHANGE_PROVIDER: 'okta',
      OKTA_CLIENT_SECRET: 'very-secret-value',
      OKTA_CLIENT_ID: 'x',
    });
    expect(out.join('\n')).not.toContain('very-secret-value');
  });
});

describe('loadConfig: VBX_CONFIG_FILE', () => {
  it('reads the contract example, templating headers from the environment', () => {
    const path = file({
      enable_external_llm: true,
      default_llm_config: {
        ...openai,
        server_url: 'https://llm-gateway.example.com/v1/',
        max_tokens: 4096,
        provider_args: {
          headers: { 'OpenAI-Project': '$PROJECT_ID', 'X-User': '${VOICEBOX_USER}' },
        },
      },
      external_llm_config: {
        llm_provider: 'bedrock',
        llm_name: 'us.meta.llama3-1-70b-instruct-v1:0',
      },
    });
    const c = loadConfig({
      VBX_CONFIG_FILE: path,
      PROJECT_ID: 'proj-42',
      OPENAI_API_KEY: 'sk-test',
      BEDROCK_REGION: 'us-east-1',
    });
    expect(c.llm!.default).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o',
      maxTokens: 4096,
      serverUrl: 'https://llm-gateway.example.com/v1/',
    });
    expect(c.llm!.default.headers['OpenAI-Project'].render('u')).toBe('proj-42');
    expect(c.llm!.default.headers['X-User'].render('alice')).toBe('alice');
    expect(c.llm!.external).toMatchObject({ provider: 'bedrock', maxTokens: 4096 });
    expect(c.features.externalLlm).toBe(true);
  });

  it.each([
    [{}, 'VBX_CONFIG_FILE $.default_llm_config: is required'],
    [
      { default_llm_config: { ...openai, llm_provider: 'anthropic' } },
      'VBX_CONFIG_FILE $.default_llm_config.llm_provider: must be one of openai, azure, bedrock, databricks, fireworks, vertex',
    ],
    [
      { default_llm_config: { llm_provider: 'openai' } },
      'VBX_CONFIG_FILE $.default_llm_config.llm_name: is required',
    ],
    [
      { default_llm_config: { ...openai, max_tokens: 0 } },
      'VBX_CONFIG_FILE $.default_llm_config.max_tokens: must be a positive integer',
    ],
    [
      { default_llm_config: { ...openai, max_tokens: 1.5 } },
      'VBX_CONFIG_FILE $.default_llm_config.max_tokens: must be an integer',
    ],
    [
      { default_llm_config: { ...openai, server_url: 'ftp://x' } },
      'VBX_CONFIG_FILE $.default_llm_config.server_url: must be an absolute http(s) URL',
    ],
    [
      { default_llm_config: { ...openai, provider_args: { headers: { A: 5 } } } },
      'VBX_CONFIG_FILE $.default_llm_config.provider_args.headers.A: must be a string',
    ],
    [
      { default_llm_config: { ...openai, provider_args: { headers: { A: '$NOPE_UNDEFINED' } } } },
      'VBX_CONFIG_FILE $.default_llm_config.provider_args.headers.A: environment variable NOPE_UNDEFINED is not defined',
    ],
    [
      { default_llm_config: { ...openai, provider_args: { headers: { A: 'x $ y' } } } },
      'VBX_CONFIG_FILE $.default_llm_config.provider_args.headers.A: invalid placeholder at position 3',
    ],
    [
      {
        default_llm_config: {
          llm_provider: 'vertex',
          llm_name: 'meta/llama-3.3-70b-instruct-maas',
        },
      },
      'VBX_CONFIG_FILE $.default_llm_config.provider_args.project: is required for llm_provider "vertex"',
    ],
    [
      { default_llm_config: openai, external_llm_config: { llm_provider: 'azure', llm_name: 'x' } },
      'VBX_CONFIG_FILE $.external_llm_config.server_url: is required for llm_provider "azure"',
    ],
  ])('refuses %j naming the JSON path', (json, expected) => {
    expect(problems({ VBX_CONFIG_FILE: file(json) }).join('\n')).toContain(expected);
  });

  it('refuses a file that is not JSON, one that does not exist, and a relative path', () => {
    expect(problems({ VBX_CONFIG_FILE: file('{ "default_llm_config": ') })[0]).toMatch(
      /^VBX_CONFIG_FILE: .* is not valid JSON/,
    );
    expect(problems({ VBX_CONFIG_FILE: join(dir, 'missing.json') })[0]).toMatch(
      /^VBX_CONFIG_FILE: cannot read .*missing\.json \(ENOENT\)/,
    );
    expect(problems({ VBX_CONFIG_FILE: 'config/x.json' })[0]).toBe(
      'VBX_CONFIG_FILE: must be an absolute path (got "config/x.json")',
    );
  });

  it('refuses token exchange with a provider other than openai', () => {
    const path = file({
      default_llm_config: { llm_provider: 'bedrock', llm_name: 'meta.llama3-1-70b-instruct-v1:0' },
    });
    const env = {
      VBX_CONFIG_FILE: path,
      TOKEN_EXCHANGE_PROVIDER: 'okta',
      OKTA_CLIENT_ID: 'c',
      OKTA_CLIENT_SECRET: 's',
      OKTA_DISCOVERY_URL: 'https://idp.example.com/.well-known/openid-configuration',
      OKTA_LLM_GATEWAY_AUDIENCE: 'api://llm',
      REQUIRE_JWT_AUTH: 'true',
      JWT_ISSUER: 'https://idp.example.com',
      JWT_JWKS_URI: 'https://idp.example.com/keys',
    };
    expect(problems(env)).toEqual([
      'VBX_CONFIG_FILE $.default_llm_config.llm_provider: token exchange (TOKEN_EXCHANGE_PROVIDER=okta) is supported only with llm_provider "openai", not "bedrock"',
    ]);
  });

  it('treats rendered header values as secrets to scrub', () => {
    const path = file({
      default_llm_config: { ...openai, provider_args: { headers: { 'X-Gateway-Key': '$GW_KEY' } } },
    });
    const c = loadConfig({
      VBX_CONFIG_FILE: path,
      GW_KEY: 'gateway-key-123456',
      OPENAI_API_KEY: 'sk-abcdef',
    });
    expect(c.secretValues).toEqual(expect.arrayContaining(['gateway-key-123456', 'sk-abcdef']));
  });
});

describe('config/voicebox.example.json', () => {
  it('loads as documented', () => {
    const path = new URL('../../config/voicebox.example.json', import.meta.url).pathname;
    const c = loadConfig({
      VBX_CONFIG_FILE: path,
      PROJECT_ID: 'p-1',
      OPENAI_API_KEY: 'sk-test',
      BEDROCK_REGION: 'us-east-1',
    });
    expect(c.llm!.default.provider).toBe('openai');
    expect(c.llm!.external!.provider).toBe('bedrock');
  });
});
