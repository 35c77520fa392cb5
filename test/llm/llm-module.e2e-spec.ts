import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Controller, Get, Module } from '@nestjs/common';
import { Public } from '../../src/common/http/route-policy.decorators.js';
import { LlmClient } from '../../src/llm/llm-client.js';
import { LlmModule } from '../../src/llm/llm.module.js';
import { OpenAiWireServer } from '../support/llm-wire/openai-wire-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { llmConfig, writeVbxConfig } from './llm-test-kit.js';

/** A route that uses the injected port, as the voicebox pipeline will. */
@Controller('test/llm')
class LlmProbeController {
  constructor(private readonly llm: LlmClient) {}

  @Get('hello')
  @Public()
  async hello(): Promise<{ text: string }> {
    const res = await this.llm.complete({ messages: [{ role: 'user', content: 'hello' }] });
    return { text: res.text };
  }
}

@Module({ imports: [LlmModule], controllers: [LlmProbeController] })
class LlmProbeModule {}

const OPENAI_KEY = 'sk-diagnostics-secret-0123456789';
const ADMIN_TOKEN = 'llm-test-admin-token-0123456789';
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };
const FIREWORKS_KEY = 'fw-diagnostics-secret-0123456789';

describe('LlmModule in the running service', () => {
  let wire: OpenAiWireServer;
  let t: TestApp | undefined;
  beforeAll(async () => {
    wire = await OpenAiWireServer.start();
  });
  afterAll(() => wire.close());
  afterEach(async () => {
    await t?.close();
    t = undefined;
    wire.reset();
  });

  const start = () =>
    startTestApp(
      {
        OPENAI_API_KEY: OPENAI_KEY,
        VOICEBOX_ADMIN_TOKEN: ADMIN_TOKEN,
        FIREWORKS_API_KEY: FIREWORKS_KEY,
        LLM_MAX_RETRIES: '0',
        VBX_CONFIG_FILE: writeVbxConfig({
          enable_external_llm: true,
          default_llm_config: llmConfig('openai', 'gpt-4o', { server_url: `${wire.url}/v1` }),
          external_llm_config: llmConfig(
            'fireworks',
            'accounts/fireworks/models/llama-v3p3-70b-instruct',
            { server_url: `${wire.url}/fw` },
          ),
        }),
      },
      [LlmProbeModule],
    );

  it('reports a one-token call per configured LLM, with latency and no secret', async () => {
    t = await start();
    wire.reply(
      { kind: 'answer', text: 'OK' },
      { kind: 'status', status: 401, body: { error: { message: `bad key ${FIREWORKS_KEY}` } } },
    );
    const refused = await t.app.inject({ method: 'GET', url: '/api/v1/admin/llm/diagnostics' });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['www-authenticate']).toMatch(/^Bearer realm="voicebox"/);
    expect(wire.requests).toHaveLength(0);
    const before = Date.now();
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/admin/llm/diagnostics',
      headers: ADMIN,
    });
    const elapsed = Date.now() - before;
    expect(res.statusCode).toBe(200);
    const body = res.json<Array<Record<string, unknown>>>();
    expect(body).toHaveLength(2);
    const byRole = Object.fromEntries(body.map((d) => [String(d.role), d])) as Record<
      string,
      Record<string, unknown>
    >;
    // Both run in parallel: whichever reached the server first got the OK.
    const okRole = wire.requests[0].path === '/v1/chat/completions' ? 'default' : 'external';
    const failedRole = okRole === 'default' ? 'external' : 'default';
    expect(byRole[okRole]).toMatchObject({ ok: true });
    expect(byRole[failedRole]).toMatchObject({ ok: false });
    expect(String(byRole[failedRole].error)).toMatch(/llm\.provider_error.*status 401/);
    expect(byRole.default).toMatchObject({ provider: 'openai', model: 'gpt-4o' });
    expect(byRole.external).toMatchObject({ provider: 'fireworks' });
    // Each call's own time: within the request that ran both.
    for (const d of body) {
      expect(d.latency_ms).toBeGreaterThanOrEqual(0);
      expect(d.latency_ms).toBeLessThanOrEqual(elapsed);
    }
    for (const r of wire.requests) expect(r.body.max_tokens).toBe(1);
    expect(res.body).not.toContain(OPENAI_KEY);
    expect(res.body).not.toContain(FIREWORKS_KEY);
    expect(res.body).not.toContain('127.0.0.1');
    expect(t.logs.text).not.toContain(FIREWORKS_KEY);

    const metrics = await t.scrapeMetrics();
    expect(metrics.body).toMatch(/voicebox_llm_call_duration_seconds_count\{provider="fireworks"/);

    // The request's audit record: one line naming the caller and every LLM call with its usage.
    const audit = t.logs
      .json()
      .find((l) => l.msg === 'audit' && l.request_id === res.headers['x-request-id']);
    expect(audit).toMatchObject({ auth: 'admin-token', route: '/api/v1/admin/llm/diagnostics' });
    const calls = audit!.llm_calls as Array<Record<string, string | number>>;
    expect(calls.map((c) => `${c.role}:${c.provider}:${c.outcome}`).sort()).toEqual(
      [
        `${okRole}:${String(byRole[okRole].provider)}:ok`,
        `${failedRole}:${String(byRole[failedRole].provider)}:error`,
      ].sort(),
    );
    const ok = calls.find((c) => c.outcome === 'ok')!;
    expect(ok).toMatchObject({ model: byRole[okRole].model });
    expect(Number(ok.prompt_tokens) + Number(ok.completion_tokens)).toBeGreaterThan(0);
    expect(audit!.llm_prompt_tokens).toBe(ok.prompt_tokens);
  });

  it('aborts the provider calls when the HTTP client disconnects', async () => {
    t = await start();
    wire.reply({ kind: 'hang' }, { kind: 'hang' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const req = request(`${await t.app.getUrl()}/api/v1/admin/llm/diagnostics`, { headers: ADMIN });
    req.on('error', () => undefined);
    req.end();
    while (wire.requests.length < 2) await new Promise((r) => setTimeout(r, 10));
    req.destroy();
    for (let i = 0; i < 100 && !wire.requests.every((r) => r.clientClosed); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(wire.requests.map((r) => r.clientClosed)).toEqual([true, true]);
    expect(t.logs.text).toMatch(/"outcome":"aborted"/);
  });

  it('serves the injected LlmClient to other modules', async () => {
    t = await start();
    wire.reply({ kind: 'answer', text: 'Hello, Westeros' });
    const res = await t.app.inject({ method: 'GET', url: '/test/llm/hello' });
    expect(res.json()).toEqual({ text: 'Hello, Westeros' });
  });

  it('maps a provider rate limit to 429 with Retry-After on the HTTP response', async () => {
    t = await start();
    wire.reply({ kind: 'status', status: 429, headers: { 'retry-after': '7' } });
    const res = await t.app.inject({ method: 'GET', url: '/test/llm/hello' });
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.json()).toMatchObject({ code: 'llm.rate_limited' });
  });

  it('refuses to assemble the application when the configured LLM has no credential', async () => {
    await expect(
      startTestApp({
        VBX_CONFIG_FILE: writeVbxConfig({ default_llm_config: llmConfig('openai', 'gpt-4o') }),
      }),
    ).rejects.toThrow(
      /OPENAI_API_KEY: is required for default_llm_config \(llm_provider "openai"\)/,
    );
  });

  it('starts without VBX_CONFIG_FILE; LLM calls then answer 503 llm.not_configured', async () => {
    t = await startTestApp({ VOICEBOX_ADMIN_TOKEN: ADMIN_TOKEN }, [LlmProbeModule]);
    const diag = await t.app.inject({
      method: 'GET',
      url: '/api/v1/admin/llm/diagnostics',
      headers: ADMIN,
    });
    expect(diag.statusCode).toBe(200);
    expect(diag.json()).toEqual([]);
    const res = await t.app.inject({ method: 'GET', url: '/test/llm/hello' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'llm.not_configured' });
  });
});
