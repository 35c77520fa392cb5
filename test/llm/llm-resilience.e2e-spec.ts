import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/common/errors/domain-error.js';
import type { AppConfig } from '../../src/config/app-config.js';
import type { LlmUsageRecord } from '../../src/llm/llm-types.js';
import { OpenAiWireServer } from '../support/llm-wire/openai-wire-server.js';
import { llmConfig, llmKit, writeVbxConfig } from './llm-test-kit.js';

const KEY = 'sk-resilience-secret-key-987654321';
const MESSAGES = [{ role: 'user' as const, content: 'ping' }];

describe('LLM call policy: retries, deadline, abort, error mapping', () => {
  let wire: OpenAiWireServer;
  let file: string;
  beforeAll(async () => {
    wire = await OpenAiWireServer.start();
    file = writeVbxConfig({
      default_llm_config: llmConfig('openai', 'gpt-4o-mini', { server_url: wire.url }),
    });
  });
  afterAll(() => wire.close());
  beforeEach(() => {
    wire.reset();
  });

  const kit = (tuning: Partial<AppConfig['llmTuning']> = {}) =>
    llmKit({ OPENAI_API_KEY: KEY, VBX_CONFIG_FILE: file }, tuning);
  const fail = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e as DomainError,
    );

  it('waits for Retry-After on 429, then succeeds', async () => {
    const { registry } = kit();
    wire.reply({ kind: 'status', status: 429, headers: { 'retry-after': '1' } });
    const usages: LlmUsageRecord[] = [];
    const started = Date.now();
    const res = await registry
      .get('default')
      .complete({ messages: MESSAGES }, { onUsage: (u) => usages.push(u) });
    expect(res.text).toBe(wire.defaultText);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(wire.requests).toHaveLength(2);
    expect(usages[0]).toMatchObject({ outcome: 'ok', attempts: 2 });
  });

  it('retries a 503 with backoff and succeeds', async () => {
    const { registry, logs } = kit();
    wire.reply({ kind: 'status', status: 503, body: { error: { message: 'overloaded' } } });
    await registry.get('default').complete({ messages: MESSAGES });
    expect(wire.requests).toHaveLength(2);
    expect(logs.text).toMatch(/llm call failed, retrying/);
  });

  it('retries a stream that fails before its first event', async () => {
    const { registry } = kit();
    wire.reply({ kind: 'status', status: 503 }, { kind: 'answer', text: 'second try works' });
    let text = '';
    for await (const e of registry.get('default').stream({ messages: MESSAGES })) {
      if (e.type === 'text') text += e.text;
    }
    expect(text).toBe('second try works');
    expect(wire.requests).toHaveLength(2);
    expect(wire.requests.every((r) => r.body.stream === true)).toBe(true);
  });

  it('records a stream the caller leaves before its end as aborted, and one read to the end as ok with its tokens', async () => {
    const { registry, metrics } = kit();
    wire.reply(
      { kind: 'answer', text: 'one two three four', completionTokens: 4 },
      { kind: 'answer', text: 'one two three four', completionTokens: 4 },
    );
    const usages: LlmUsageRecord[] = [];
    const llm = registry.get('default');
    for await (const e of llm.stream({ messages: MESSAGES }, { onUsage: (u) => usages.push(u) })) {
      if (e.type === 'text' && e.text.trim() !== '') break;
    }
    for await (const _ of llm.stream({ messages: MESSAGES }, { onUsage: (u) => usages.push(u) }))
      void _;
    expect(usages.map((u) => [u.outcome, u.completionTokens])).toEqual([
      ['aborted', 0],
      ['ok', 4],
    ]);
    const scrape = await metrics.registry.metrics();
    expect(scrape).toMatch(/voicebox_llm_call_duration_seconds_count\{[^}]*outcome="aborted"\} 1/);
    expect(scrape).toMatch(/voicebox_llm_call_duration_seconds_count\{[^}]*outcome="ok"\} 1/);
  });

  it('retries a dropped connection, then answers 502 llm.unreachable', async () => {
    const { registry } = kit({ maxRetries: 1 });
    wire.reply({ kind: 'reset' }, { kind: 'reset' });
    const err = await fail(registry.get('default').complete({ messages: MESSAGES }));
    expect(err).toMatchObject({ kind: 'dependency_failed', code: 'llm.unreachable' });
    expect(wire.requests).toHaveLength(2);
  });

  it('gives up after LLM_MAX_RETRIES on 5xx with 502 and keeps the provider message in the log only', async () => {
    const { registry, logs } = kit({ maxRetries: 2 });
    const body = { error: { message: 'upstream exploded badly' } };
    wire.reply(
      { kind: 'status', status: 500, body },
      { kind: 'status', status: 502, body },
      { kind: 'status', status: 500, body },
    );
    const err = await fail(registry.get('default').complete({ messages: MESSAGES }));
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({
      kind: 'dependency_failed',
      code: 'llm.provider_error',
      details: { provider_status: 500 },
    });
    expect(err?.message).not.toMatch(/exploded/);
    expect(wire.requests).toHaveLength(3);
    expect(logs.text).toMatch(/upstream exploded badly/);
    expect(logs.text).not.toContain(KEY);
  });

  it('does not retry a 400 and maps it to 502', async () => {
    const { registry } = kit();
    wire.reply({ kind: 'status', status: 400, body: { error: { message: 'bad model' } } });
    const err = await fail(registry.get('default').complete({ messages: MESSAGES }));
    expect(err).toMatchObject({ code: 'llm.provider_error', details: { provider_status: 400 } });
    expect(wire.requests).toHaveLength(1);
  });

  it('answers 429 with Retry-After at once when the provider asks for a longer wait than the cap', async () => {
    const { registry, metrics } = kit({ retryMaxDelayMs: 2000 });
    wire.reply({ kind: 'status', status: 429, headers: { 'retry-after': '30' } });
    const started = Date.now();
    const err = await fail(registry.get('default').complete({ messages: MESSAGES }));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(err).toMatchObject({
      kind: 'rate_limited',
      code: 'llm.rate_limited',
      headers: { 'Retry-After': '30' },
    });
    expect(wire.requests).toHaveLength(1);
    expect(await metrics.registry.metrics()).toMatch(
      /voicebox_llm_call_duration_seconds_count\{provider="openai",model="gpt-4o-mini",outcome="rate_limited"\} 1/,
    );
  });

  it('answers 504 llm.timeout when the provider does not answer within the deadline', async () => {
    const { registry } = kit({ timeoutMs: 300 });
    wire.reply({ kind: 'hang' });
    const started = Date.now();
    const err = await fail(registry.get('default').complete({ messages: MESSAGES }));
    expect(err).toMatchObject({ kind: 'dependency_timeout', code: 'llm.timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
    await wire.clientClosed();
    expect(wire.requests).toHaveLength(1);
  });

  it('times out a stream that stops sending', async () => {
    const { registry } = kit({ timeoutMs: 300 });
    wire.reply({ kind: 'hang' });
    const consume = async () => {
      for await (const _ of registry.get('default').stream({ messages: MESSAGES })) void _;
    };
    expect(await fail(consume())).toMatchObject({ code: 'llm.timeout' });
  });

  it('aborts the provider call when the caller signal fires; the server sees the connection close', async () => {
    const { registry } = kit();
    wire.reply({ kind: 'hang' });
    const controller = new AbortController();
    const usages: LlmUsageRecord[] = [];
    const pending = fail(
      registry
        .get('default')
        .complete(
          { messages: MESSAGES },
          { signal: controller.signal, onUsage: (u) => usages.push(u) },
        ),
    );
    while (wire.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    await wire.clientClosed();
    expect(await pending).toMatchObject({ code: 'llm.aborted' });
    expect(wire.requests[0].clientClosed).toBe(true);
    expect(usages[0]).toMatchObject({ outcome: 'aborted' });
  });
});
