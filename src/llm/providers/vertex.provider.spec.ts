import { describe, expect, it } from 'vitest';
import type { LlmConfig } from '../../config/app-config.js';
import { vertexBaseUrl } from './vertex.provider.js';

const cfg = (providerArgs: Record<string, unknown>, serverUrl?: string): LlmConfig => ({
  provider: 'vertex',
  model: 'meta/llama-3.3-70b-instruct-maas',
  maxTokens: 100,
  headers: {},
  providerArgs,
  serverUrl,
});

describe('vertexBaseUrl', () => {
  it('builds the regional OpenAI-compatible endpoint of the project (us-central1 by default)', () => {
    expect(vertexBaseUrl(cfg({ project: 'acme-kg' }))).toBe(
      'https://us-central1-aiplatform.googleapis.com/v1/projects/acme-kg/locations/us-central1/endpoints/openapi',
    );
    expect(vertexBaseUrl(cfg({ project: 'acme-kg', region: 'us-east5' }))).toBe(
      'https://us-east5-aiplatform.googleapis.com/v1/projects/acme-kg/locations/us-east5/endpoints/openapi',
    );
  });

  it('uses server_url when given, without a trailing slash', () => {
    expect(vertexBaseUrl(cfg({ project: 'p' }, 'https://proxy.example.com/vertex/'))).toBe(
      'https://proxy.example.com/vertex',
    );
  });
});
