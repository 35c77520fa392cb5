import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NoTracing, OtlpTracing, Tracing } from '../../src/observability/tracing.js';
import { TokenExchangeServer } from '../support/idp/token-exchange-server.js';
import { requireGatewayToken } from '../support/llm-wire/llm-gateway-auth.js';
import { OpenAiWireServer } from '../support/llm-wire/openai-wire-server.js';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp/otlp-receiver.js';
import {
  LLM_GATEWAY,
  PUBLIC_API,
  RESOURCE_SERVERS,
  SERVICE_CLIENT,
  llmHopEnv,
} from '../token-exchange/exchange-kit.js';
import {
  KAREN_DEPT_QUERY,
  answerReply,
  sparqlReply,
  startVoicebox,
  type VoiceboxTestApp,
} from '../voicebox/voicebox-kit.js';

const SERVER = 2;
const CLIENT = 3;

/**
 * One ask in public-API JWT mode with token exchange on, traced to a loopback OTLP/HTTP collector:
 * the spans of the request, the exchange, the pipeline's steps, the LLM calls and the SPARQL
 * queries arrive as one trace under the caller's traceparent, each carrying the user's subject and
 * client id and no credential.
 */
describe('OpenTelemetry tracing over OTLP/HTTP', () => {
  let as: TokenExchangeServer;
  let wire: OpenAiWireServer;
  let collector: OtlpReceiver;
  let t: VoiceboxTestApp;
  beforeAll(async () => {
    collector = await OtlpReceiver.start();
    as = await TokenExchangeServer.start({
      resourceServers: RESOURCE_SERVERS,
      clients: [{ ...SERVICE_CLIENT, allowed: { [LLM_GATEWAY]: ['llm.invoke'] } }],
    });
    wire = await OpenAiWireServer.start();
    requireGatewayToken(wire, {
      jwksUri: as.idp.jwksUri,
      issuer: as.issuer,
      audience: LLM_GATEWAY,
      requiredScope: 'llm.invoke',
    });
    const hop = llmHopEnv(as);
    for (const name of ['REQUIRE_JWT_AUTH', 'JWT_ISSUER', 'JWT_JWKS_URI']) delete hop[name];
    t = await startVoicebox(wire, {
      ...hop,
      OPENAI_API_KEY: '',
      API_AUTH_JWT_ENABLED: 'true',
      API_AUTH_ISSUER: as.issuer,
      API_AUTH_JWKS_URI: as.idp.jwksUri,
      API_AUTH_AUDIENCE: PUBLIC_API,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20collector-secret-0123456789',
      OTEL_SERVICE_NAME: 'voicebox-under-test',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
  });
  afterAll(async () => {
    await t?.close();
    await wire?.close();
    await as?.close();
    await collector?.close();
  });

  it('exports the spans of one ask with their parent/child links and the user on each', async () => {
    expect(t.app.get(Tracing)).toBeInstanceOf(OtlpTracing);
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const user = await as.issueUserToken('alice', PUBLIC_API, 'voicebox:read');
    wire.reply(sparqlReply(KAREN_DEPT_QUERY), answerReply('Karen Brant works in Marketing.'));
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/voicebox/ask',
      headers: {
        authorization: `Bearer ${user}`,
        'x-voicebox-app-key': t.key,
        'x-client-id': 'web',
        traceparent: `00-${traceId}-${callerSpan}-01`,
      },
      payload: { query: 'Which department does Karen Brant work in?' },
    });
    expect(res.statusCode, res.body).toBe(200);

    const isRequest = (s: ReceivedSpan) => s.name === 'POST /api/v1/voicebox/ask';
    await collector.waitFor((spans) => spans.some(isRequest));
    const spans = collector.spans.filter((s) => s.traceId === traceId);
    const one = (name: string) => {
      const found = spans.filter((s) => s.name === name);
      expect(found, `${name} in ${spans.map((s) => s.name).join(', ')}`).toHaveLength(1);
      return found[0];
    };
    const childrenOf = (parent: ReceivedSpan) =>
      spans.filter((s) => s.parentSpanId === parent.spanId);

    // The request: a SERVER span under the caller's span, with the route, status and user.
    const request = one('POST /api/v1/voicebox/ask');
    expect(request.kind).toBe(SERVER);
    expect(request.parentSpanId).toBe(callerSpan);
    expect(request.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/api/v1/voicebox/ask',
      'http.response.status_code': 200,
      'enduser.id': 'alice',
      'voicebox.client_id': 'web',
    });
    expect(request.resource['service.name']).toBe('voicebox-under-test');

    // The exchange toward the LLM gateway, and its one request to the token endpoint.
    const exchange = one('token_exchange llm_gateway');
    expect(exchange.parentSpanId).toBe(request.spanId);
    expect(exchange.attributes).toMatchObject({ 'voicebox.token_exchange.cache': 'miss' });
    const tokenRequest = one('token_exchange.request');
    expect(tokenRequest.parentSpanId).toBe(exchange.spanId);
    expect(tokenRequest.kind).toBe(CLIENT);
    expect(tokenRequest.attributes['voicebox.token_exchange.outcome']).toBe('ok');

    // The pipeline's steps under the request; the LLM call and the query under their steps.
    const steps = childrenOf(request).filter((s) => s.name.startsWith('voicebox.'));
    expect(steps.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        'voicebox.link_entities',
        'voicebox.retrieve_schema',
        'voicebox.generate_sparql',
        'voicebox.validate_sparql',
        'voicebox.execute_query',
        'voicebox.write_answer',
      ]),
    );
    const step = (name: string) => steps.find((s) => s.name === `voicebox.${name}`)!;
    const [generation] = childrenOf(step('generate_sparql'));
    expect(generation).toMatchObject({ name: 'chat gpt-4o', kind: CLIENT });
    expect(generation.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'voicebox.llm.outcome': 'ok',
    });
    expect(generation.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    const [answer] = childrenOf(step('write_answer'));
    expect(answer).toMatchObject({ name: 'chat gpt-4o', kind: CLIENT });
    const queries = childrenOf(step('execute_query'));
    expect(queries).toEqual([expect.objectContaining({ name: 'sparql SELECT', kind: CLIENT })]);
    expect(queries[0].attributes['db.response.returned_rows']).toBe(1);

    // Every span started once the user was known carries them; no span carries a credential.
    for (const s of [exchange, tokenRequest, ...steps, generation, answer, ...queries]) {
      expect(s.attributes, s.name).toMatchObject({
        'enduser.id': 'alice',
        'voicebox.client_id': 'web',
      });
    }
    const exported = collector.bodies.join('\n');
    expect(exported).not.toContain(user);
    expect(exported).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
    expect(exported).not.toContain(t.key);
    expect(collector.headers[0].authorization).toBe('Bearer collector-secret-0123456789');
    expect(t.logs.text).not.toContain('collector-secret-0123456789');
  });

  it('shows the LLM calls, tokens, SPARQL latency, exchanges, cache hits and JWKS fetches on the metrics port', async () => {
    const user = await as.issueUserToken('bob', PUBLIC_API, 'voicebox:read');
    for (let i = 0; i < 2; i++) {
      wire.reply(sparqlReply(KAREN_DEPT_QUERY), answerReply('Marketing.'));
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/voicebox/ask',
        headers: {
          authorization: `Bearer ${user}`,
          'x-voicebox-app-key': t.key,
          'x-client-id': 'web',
        },
        payload: { query: 'Which department does Karen Brant work in?' },
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    const { status, body } = await t.scrapeMetrics();
    expect(status).toBe(200);
    for (const series of [
      /voicebox_llm_call_duration_seconds_count\{provider="openai",model="gpt-4o",outcome="ok"\} [1-9]/,
      /voicebox_llm_tokens_total\{provider="openai",model="gpt-4o",kind="prompt"\} [1-9]/,
      /voicebox_llm_tokens_total\{provider="openai",model="gpt-4o",kind="completion"\} [1-9]/,
      /voicebox_kg_query_duration_seconds_count\{store="[a-z]+",outcome="ok"\} [1-9]/,
      /voicebox_token_exchanges_total\{hop="llm_gateway",outcome="ok"\} 2/,
      /voicebox_token_exchange_cache_total\{hop="llm_gateway",result="miss"\} 2/,
      /voicebox_token_exchange_cache_total\{hop="llm_gateway",result="hit"\} 1/,
      /voicebox_token_exchange_duration_seconds_count\{hop="llm_gateway",outcome="ok"\} 2/,
      /voicebox_auth_jwks_fetches_total\{outcome="ok"\} [1-9]/,
    ]) {
      expect(body).toMatch(series);
    }
  });
});

describe('tracing off', () => {
  it('starts no SDK when no OTLP endpoint is configured', async () => {
    const wire = await OpenAiWireServer.start();
    const t = await startVoicebox(wire);
    try {
      expect(t.app.get(Tracing)).toBeInstanceOf(NoTracing);
    } finally {
      await t.close();
      await wire.close();
    }
  });
});
