import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp/otlp-receiver.js';
import { PUBLIC_API } from '../token-exchange/exchange-kit.js';
import { KAREN_DEPT_QUERY, answerReply, sparqlReply } from '../voicebox/voicebox-kit.js';
import { startSplitDeployment, type SplitDeployment } from './split-kit.js';

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
  let collector: OtlpReceiver;
  let split: SplitDeployment;
  beforeAll(async () => {
    collector = await OtlpReceiver.start();
    split = await startSplitDeployment({
      backend: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, ...otel('voicebox-service') },
      gateway: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, ...otel('voicebox-gateway') },
    });
  });
  afterAll(async () => {
    await split?.close();
    await collector?.close();
  });

  it("sends the request's traceparent to the Voicebox Service, whose spans join the caller's trace", async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    split.wire.reply(sparqlReply(KAREN_DEPT_QUERY), answerReply('Marketing.'));
    const res = await split.gateway.app.inject({
      method: 'POST',
      url: '/api/v1/voicebox/ask',
      headers: {
        authorization: `Bearer ${await split.as.issueUserToken('alice', PUBLIC_API, 'voicebox:read')}`,
        'x-voicebox-app-key': split.backend.key,
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
    expect(split.relay.requests).toHaveLength(1);
    expect(split.relay.requests[0].headers.traceparent).toBe(
      `00-${traceId}-${atGateway.spanId}-01`,
    );
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
