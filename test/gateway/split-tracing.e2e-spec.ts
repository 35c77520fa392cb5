import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenExchangeServer } from '../support/idp/token-exchange-server.js';
import { OpenAiWireServer } from '../support/llm-wire/openai-wire-server.js';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp/otlp-receiver.js';
import { sharedTestDatabaseEnv } from '../support/postgres.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  GATEWAY_CLIENT,
  PUBLIC_API,
  RESOURCE_SERVERS,
  SERVICE_API,
} from '../token-exchange/exchange-kit.js';
import {
  ADMIN_TOKEN,
  KAREN_DEPT_QUERY,
  answerReply,
  sparqlReply,
  startVoicebox,
  type VoiceboxTestApp,
} from '../voicebox/voicebox-kit.js';
import { RecordingRelay, SERVICE_SCOPE, gatewayEnv, voiceboxServiceEnv } from './split-kit.js';

const urlOf = (t: TestApp) =>
  `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;

const otel = (name: string) => ({
  OTEL_SERVICE_NAME: name,
  OTEL_BSP_SCHEDULE_DELAY: '100',
});

/**
 * A split deployment with tracing on in both halves, exporting to one loopback collector: the
 * gateway's request to the Voicebox Service carries the trace context, so the caller's trace holds
 * the gateway's request span and, under it, the Voicebox Service's.
 */
describe('split deployment: one trace across the gateway and the Voicebox Service', () => {
  let as: TokenExchangeServer;
  let wire: OpenAiWireServer;
  let collector: OtlpReceiver;
  let backend: VoiceboxTestApp;
  let relay: RecordingRelay;
  let gateway: TestApp;

  beforeAll(async () => {
    collector = await OtlpReceiver.start();
    as = await TokenExchangeServer.start({
      resourceServers: RESOURCE_SERVERS,
      clients: [{ ...GATEWAY_CLIENT, allowed: { [SERVICE_API]: [SERVICE_SCOPE] } }],
    });
    wire = await OpenAiWireServer.start();
    const db = await sharedTestDatabaseEnv();
    backend = await startVoicebox(wire, {
      ...db,
      ...voiceboxServiceEnv(as),
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      ...otel('voicebox-service'),
    });
    await backend.app.listen(0, '127.0.0.1');
    relay = await RecordingRelay.start(() => urlOf(backend));
    gateway = await startTestApp({
      ...db,
      VOICEBOX_ADMIN_TOKEN: ADMIN_TOKEN,
      ...gatewayEnv(as, relay.url, { VOICEBOX_SERVICE_TIMEOUT_SECONDS: '60' }),
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      ...otel('voicebox-gateway'),
    });
    await gateway.app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await gateway?.close();
    await relay?.close();
    await backend?.close();
    await wire?.close();
    await as?.close();
    await collector?.close();
  });

  it("sends the request's traceparent to the Voicebox Service, whose spans join the caller's trace", async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    wire.reply(sparqlReply(KAREN_DEPT_QUERY), answerReply('Marketing.'));
    const res = await gateway.app.inject({
      method: 'POST',
      url: '/api/v1/voicebox/ask',
      headers: {
        authorization: `Bearer ${await as.issueUserToken('alice', PUBLIC_API, 'voicebox:read')}`,
        'x-voicebox-app-key': backend.key,
        'x-client-id': 'web',
        traceparent: `00-${traceId}-${callerSpan}-01`,
      },
      payload: { query: 'In which department is Ms. Brant?' },
    });
    expect(res.statusCode, res.body).toBe(200);

    const isRequest = (s: ReceivedSpan, service: string) =>
      s.traceId === traceId &&
      s.name === 'POST /api/v1/voicebox/ask' &&
      s.resource['service.name'] === service;
    await collector.waitFor(
      (spans) =>
        spans.some((s) => isRequest(s, 'voicebox-gateway')) &&
        spans.some((s) => isRequest(s, 'voicebox-service')),
    );
    const atGateway = collector.spans.find((s) => isRequest(s, 'voicebox-gateway'))!;
    const atService = collector.spans.find((s) => isRequest(s, 'voicebox-service'))!;
    expect(atGateway.parentSpanId).toBe(callerSpan);
    expect(atService.parentSpanId).toBe(atGateway.spanId);
    expect(atService.attributes).toMatchObject({ 'enduser.id': 'alice' });
    // On the wire between them: the gateway's span as parent, sampled.
    expect(relay.requests).toHaveLength(1);
    expect(relay.requests[0].headers.traceparent).toBe(`00-${traceId}-${atGateway.spanId}-01`);
    // The Voicebox Service's pipeline steps sit in the same trace.
    expect(
      collector.spans.some(
        (s) =>
          s.traceId === traceId &&
          s.name === 'voicebox.generate_sparql' &&
          s.resource['service.name'] === 'voicebox-service',
      ),
    ).toBe(true);
  });
});
