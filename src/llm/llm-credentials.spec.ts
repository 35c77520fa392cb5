import { describe, expect, it } from 'vitest';
import type { AppConfig, LlmConfig } from '../config/app-config.js';
import type { LlmProviderName } from '../config/vbx-config.schema.js';
import { validateLlmCredentials } from './llm-credentials.js';

const llm = (provider: LlmProviderName, providerArgs: Record<string, unknown> = {}): LlmConfig => ({
  provider,
  model: 'm',
  maxTokens: 10,
  headers: {},
  providerArgs,
});

const check = (
  def: LlmConfig,
  credentials: AppConfig['llmCredentials'] = {},
  opts: { external?: LlmConfig; tokenExchange?: boolean } = {},
) =>
  validateLlmCredentials({
    llm: { default: def, external: opts.external },
    llmCredentials: credentials,
    tokenExchange: {
      provider: opts.tokenExchange ? 'okta' : undefined,
      cacheTtlSeconds: 3600,
      expiryBufferSeconds: 300,
      cacheMaxEntries: 10_000,
      timeoutMs: 5000,
    },
  }).map((p) => `${p.where}: ${p.reason}`);

describe('validateLlmCredentials', () => {
  it('names the missing key of each provider and the configuration that needs it', () => {
    expect(check(llm('openai'))).toEqual([
      'OPENAI_API_KEY: is required for default_llm_config (llm_provider "openai")',
    ]);
    expect(check(llm('azure'))).toEqual([
      'AZURE_API_KEY: is required for default_llm_config (llm_provider "azure")',
    ]);
    expect(check(llm('databricks'))[0]).toMatch(/^DATABRICKS_API_KEY: is required/);
    expect(check(llm('fireworks'))[0]).toMatch(/^FIREWORKS_API_KEY: is required/);
    expect(check(llm('vertex', { project: 'p' }))[0]).toMatch(
      /^GOOGLE_APPLICATION_CREDENTIALS: is required/,
    );
    expect(check(llm('bedrock'))).toEqual([
      'BEDROCK_REGION: is required for default_llm_config (llm_provider "bedrock")',
    ]);
  });

  it('checks the external configuration too', () => {
    expect(check(llm('openai'), { openaiApiKey: 'k' }, { external: llm('fireworks') })).toEqual([
      'FIREWORKS_API_KEY: is required for external_llm_config (llm_provider "fireworks")',
    ]);
  });

  it('accepts openai without a key when token exchange supplies the gateway token', () => {
    expect(check(llm('openai'), {}, { tokenExchange: true })).toEqual([]);
  });

  it('accepts bedrock with a region alone (IAM role chain) or a profile, refuses half a key pair', () => {
    expect(check(llm('bedrock'), { bedrockRegion: 'us-east-1' })).toEqual([]);
    expect(check(llm('bedrock'), { bedrockRegion: 'us-east-1', bedrockProfile: 'p' })).toEqual([]);
    expect(check(llm('bedrock'), { bedrockRegion: 'us-east-1', awsSecretAccessKey: 's' })).toEqual([
      'AWS_ACCESS_KEY_ID: is required with AWS_SECRET_ACCESS_KEY for default_llm_config (llm_provider "bedrock")',
    ]);
  });

  it('refuses a vertex credentials file that does not exist', () => {
    expect(
      check(llm('vertex', { project: 'p' }), {
        googleApplicationCredentials: '/no/such/file.json',
      }),
    ).toEqual([
      'GOOGLE_APPLICATION_CREDENTIALS: names a file that does not exist (/no/such/file.json), required for default_llm_config (llm_provider "vertex")',
    ]);
  });

  it('needs nothing when no LLM is configured', () => {
    expect(
      validateLlmCredentials({
        llm: null,
        llmCredentials: {},
        tokenExchange: {
          cacheTtlSeconds: 1,
          expiryBufferSeconds: 0,
          cacheMaxEntries: 1,
          timeoutMs: 100,
        },
      }),
    ).toEqual([]);
  });
});
