import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DomainError } from '../../src/common/errors/domain-error.js';
import type { LlmStreamEvent, LlmUsageRecord } from '../../src/llm/llm-types.js';
import { OpenAiWireServer } from '../support/llm-wire/openai-wire-server.js';
import { llmConfig, llmKit, writeVbxConfig } from './llm-test-kit.js';

const KEY = 'sk-test-openai-key-0123456789';
const USER = [{ role: 'user' as const, content: 'Who is Robert Baratheon?' }];

async function collect(events: AsyncIterable<LlmStreamEvent>) {
  let text = '';
  let done: Extract<LlmStreamEvent, { type: 'done' }> | undefined;
  for await (const e of events) {
    if (e.type === 'text') text += e.text;
    else done = e;
  }
  return { text, done };
}

describe('openai strategy on the chat-completions wire', () => {
  let wire: OpenAiWireServer;
  beforeAll(async () => {
    wire = await OpenAiWireServer.start();
  });
  afterAll(() => wire.close());
  beforeEach(() => {
    wire.reset();
  });

  const kit = (extra: Record<string, unknown> = {}, env: Record<string, string> = {}) =>
    llmKit({
      OPENAI_API_KEY: KEY,
      PROJECT_ID: 'proj-42',
      VBX_CONFIG_FILE: writeVbxConfig({
        default_llm_config: llmConfig('openai', 'gpt-4o', {
          server_url: `${wire.url}/v1/`,
          max_tokens: 300,
          provider_args: {
            headers: { 'OpenAI-Project': '$PROJECT_ID', 'X-End-User': 'user=${VOICEBOX_USER}' },
          },
          ...extra,
        }),
      }),
      ...env,
    });

  it('posts to {server_url}/chat/completions with the key, templated headers and a capped body', async () => {
    const { registry, metrics } = kit();
    const usages: LlmUsageRecord[] = [];
    // The model takes 150 ms: the recorded latency must include that wait and no more than the call.
    wire.reply({ kind: 'answer', text: 'Hello from the loopback model', delayMs: 150 });
    const started = Date.now();
    const res = await registry
      .get('default')
      .complete(
        { messages: USER, maxTokens: 5000, temperature: 0.2 },
        { user: 'alice@example.com', onUsage: (u) => usages.push(u) },
      );
    const elapsed = Date.now() - started;
    expect(res.text).toBe('Hello from the loopback model');
    expect(res.usage).toEqual({ promptTokens: 11, completionTokens: 7 });
    const [req] = wire.requests;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req.headers['openai-project']).toBe('proj-42');
    expect(req.headers['x-end-user']).toBe('user=alice@example.com');
    expect(req.body).toMatchObject({
      model: 'gpt-4o',
      messages: USER,
      max_tokens: 300,
      temperature: 0.2,
    });
    expect(usages).toHaveLength(1);
    expect(usages[0]).toMatchObject({
      role: 'default',
      provider: 'openai',
      model: 'gpt-4o',
      promptTokens: 11,
      completionTokens: 7,
      outcome: 'ok',
      attempts: 1,
    });
    expect(usages[0].latencyMs).toBeGreaterThanOrEqual(145);
    expect(usages[0].latencyMs).toBeLessThanOrEqual(elapsed);
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'voicebox_llm_tokens_total{provider="openai",model="gpt-4o",kind="prompt"} 11',
    );
    expect(text).toContain(
      'voicebox_llm_tokens_total{provider="openai",model="gpt-4o",kind="completion"} 7',
    );
    expect(text).toMatch(
      /voicebox_llm_call_duration_seconds_count\{provider="openai",model="gpt-4o",outcome="ok"\} 1/,
    );
  });

  it('streams SSE deltas and reports the usage of the whole answer', async () => {
    const { registry } = kit();
    wire.reply({
      kind: 'answer',
      text: 'Robert is the king of the Seven Kingdoms.',
      completionTokens: 9,
    });
    const usages: LlmUsageRecord[] = [];
    const { text, done } = await collect(
      registry.get('default').stream({ messages: USER }, { onUsage: (u) => usages.push(u) }),
    );
    expect(text).toBe('Robert is the king of the Seven Kingdoms.');
    expect(done?.usage).toEqual({ promptTokens: 11, completionTokens: 9 });
    expect(wire.requests[0].body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(usages[0]).toMatchObject({ outcome: 'ok', completionTokens: 9 });
  });

  it('sends the exchanged gateway token as Authorization when token exchange is on, without any key', async () => {
    const { registry } = kit(
      {},
      {
        OPENAI_API_KEY: '',
        TOKEN_EXCHANGE_PROVIDER: 'okta',
        OKTA_CLIENT_ID: 'cid',
        OKTA_CLIENT_SECRET: 'okta-secret-value',
        OKTA_DISCOVERY_URL: 'http://127.0.0.1:1/.well-known/openid-configuration',
        OKTA_LLM_GATEWAY_AUDIENCE: 'llm-gateway',
        REQUIRE_JWT_AUTH: 'true',
        JWT_ISSUER: 'http://127.0.0.1:1',
        JWT_JWKS_URI: 'http://127.0.0.1:1/jwks',
      },
    );
    await registry.get('default').complete({ messages: USER }, { bearerToken: 'exchanged-jwt-1' });
    expect(wire.requests[0].headers.authorization).toBe('Bearer exchanged-jwt-1');

    const err = await registry
      .get('default')
      .complete({ messages: USER })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ kind: 'unavailable', code: 'llm.token_missing' });
    expect(wire.requests).toHaveLength(1);
  });

  it('validates JSON output against a schema, with one repair request for an invalid reply', async () => {
    const { registry } = kit();
    const schema = z.object({ sparql: z.string(), confidence: z.number() });
    wire.reply(
      { kind: 'answer', text: 'Sure! {"sparql": "SELECT * {?s ?p ?o}"}' },
      {
        kind: 'answer',
        text: '```json\n{"sparql": "SELECT * {?s ?p ?o}", "confidence": 0.9}\n```',
      },
    );
    const value = await registry.get('default').completeJson({ messages: USER }, schema);
    expect(value).toEqual({ sparql: 'SELECT * {?s ?p ?o}', confidence: 0.9 });
    expect(wire.requests).toHaveLength(2);
    const repair = wire.requests[1].body.messages as Array<{ role: string; content: string }>;
    expect(repair.at(-1)?.content).toMatch(/confidence/);

    wire.reply({ kind: 'answer', text: 'no json' }, { kind: 'answer', text: '{"sparql": 3}' });
    const err = await registry
      .get('default')
      .completeJson({ messages: USER }, schema)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'dependency_failed', code: 'llm.invalid_output' });
  });

  it('uses the external model for the external role only when enable_external_llm is on', async () => {
    const file = (enabled: boolean) =>
      writeVbxConfig({
        enable_external_llm: enabled,
        default_llm_config: llmConfig('openai', 'gpt-4o', { server_url: wire.url }),
        external_llm_config: llmConfig(
          'fireworks',
          'accounts/fireworks/models/llama-v3p3-70b-instruct',
          {
            server_url: wire.url,
          },
        ),
      });
    const on = llmKit({
      OPENAI_API_KEY: KEY,
      FIREWORKS_API_KEY: 'fw-key-123456',
      VBX_CONFIG_FILE: file(true),
    });
    expect(on.registry.get('external').provider).toBe('fireworks');
    await on.registry.get('external').complete({ messages: USER });
    expect(wire.requests[0].headers.authorization).toBe('Bearer fw-key-123456');
    const off = llmKit({
      OPENAI_API_KEY: KEY,
      FIREWORKS_API_KEY: 'fw-key-123456',
      VBX_CONFIG_FILE: file(false),
    });
    expect(off.registry.get('external').provider).toBe('openai');
  });
});
