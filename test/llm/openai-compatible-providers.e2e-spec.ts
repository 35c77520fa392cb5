import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OpenAiWireServer } from '../support/llm-wire/openai-wire-server.js';
import { llmConfig, llmKit, writeVbxConfig } from './llm-test-kit.js';

const MESSAGES = [{ role: 'user' as const, content: 'Which houses are there?' }];

describe('azure, databricks and fireworks strategies on the chat-completions wire', () => {
  let wire: OpenAiWireServer;
  beforeAll(async () => {
    wire = await OpenAiWireServer.start();
  });
  afterAll(() => wire.close());
  beforeEach(() => {
    wire.reset();
  });

  it('azure: deployment as model, api-key header, api-version query, no Authorization', async () => {
    const { registry } = llmKit({
      AZURE_API_KEY: 'azure-key-abcdef123456',
      OPENAI_API_KEY: 'sk-must-not-leak-to-azure',
      VBX_CONFIG_FILE: writeVbxConfig({
        default_llm_config: llmConfig('azure', 'Meta-Llama-3.3-70B-Instruct', {
          server_url: `${wire.url}/models`,
        }),
      }),
    });
    const res = await registry.get('default').complete({ messages: MESSAGES });
    expect(res.text).toBe(wire.defaultText);
    const [req] = wire.requests;
    expect(req.path).toBe('/models/chat/completions');
    expect(req.query).toEqual({ 'api-version': '2024-05-01-preview' });
    expect(req.headers['api-key']).toBe('azure-key-abcdef123456');
    expect(req.headers.authorization).toBeUndefined();
    expect(req.body.model).toBe('Meta-Llama-3.3-70B-Instruct');
  });

  it('azure: provider_args.api_version overrides the version, also when streaming', async () => {
    const { registry } = llmKit({
      AZURE_API_KEY: 'azure-key-abcdef123456',
      VBX_CONFIG_FILE: writeVbxConfig({
        default_llm_config: llmConfig('azure', 'Llama-4-Maverick-17B-128E-Instruct-FP8', {
          server_url: `${wire.url}/models/`,
          provider_args: { api_version: '2025-01-01' },
        }),
      }),
    });
    let text = '';
    for await (const e of registry.get('default').stream({ messages: MESSAGES })) {
      if (e.type === 'text') text += e.text;
    }
    expect(text).toBe(wire.defaultText);
    expect(wire.requests[0].query).toEqual({ 'api-version': '2025-01-01' });
    expect(wire.requests[0].headers.accept).toMatch(/text\/event-stream|application\/json/);
  });

  it('databricks: {workspace}/serving-endpoints/chat/completions with the endpoint name and Bearer key', async () => {
    const { registry } = llmKit({
      DATABRICKS_API_KEY: 'dapi-0123456789abcdef',
      VBX_CONFIG_FILE: writeVbxConfig({
        default_llm_config: llmConfig('databricks', 'databricks-meta-llama-3-3-70b-instruct', {
          server_url: `${wire.url}/serving-endpoints`,
          max_tokens: 64,
        }),
      }),
    });
    await registry.get('default').complete({ messages: MESSAGES });
    const [req] = wire.requests;
    expect(req.path).toBe('/serving-endpoints/chat/completions');
    expect(req.headers.authorization).toBe('Bearer dapi-0123456789abcdef');
    expect(req.body).toMatchObject({
      model: 'databricks-meta-llama-3-3-70b-instruct',
      max_tokens: 64,
    });
  });

  it('fireworks: /inference/v1/chat/completions with the account model path and Bearer key', async () => {
    const { registry } = llmKit({
      FIREWORKS_API_KEY: 'fw-0123456789abcdef',
      VBX_CONFIG_FILE: writeVbxConfig({
        default_llm_config: llmConfig(
          'fireworks',
          'accounts/fireworks/models/llama-v3p3-70b-instruct',
          { server_url: `${wire.url}/inference/v1` },
        ),
      }),
    });
    await registry.get('default').complete({ messages: MESSAGES });
    const [req] = wire.requests;
    expect(req.path).toBe('/inference/v1/chat/completions');
    expect(req.headers.authorization).toBe('Bearer fw-0123456789abcdef');
    expect(req.body.model).toBe('accounts/fireworks/models/llama-v3p3-70b-instruct');
  });
});
