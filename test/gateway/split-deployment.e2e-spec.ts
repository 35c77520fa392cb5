import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { claimsOf, TokenExchangeServer } from '../support/idp/token-exchange-server.js';
import { OpenAiWireServer } from '../support/llm-wire/openai-wire-server.js';
import { openNdjsonStream } from '../support/ndjson-stream.js';
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
  actionOf,
  answerReply,
  sparqlReply,
  startVoicebox,
  type AskBody,
  type VoiceboxTestApp,
} from '../voicebox/voicebox-kit.js';
import {
  RecordingRelay,
  SERVICE_SCOPE,
  gatewayEnv,
  urlOf,
  voiceboxServiceEnv,
  warmVoiceboxService,
} from './split-kit.js';

const QUESTION = 'In which department is Ms. Brant?';
const SD_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzdGFyZG9nIn0.c2QtdG9rZW4tb2Ytc3NvLXVzZXI';

/**
 * A split deployment in one test process: the gateway (public API, app keys, VOICEBOX_SERVICE_
 * ENDPOINT set) and the Voicebox Service (REQUIRE_JWT_AUTH=true) are two instances of the real
 * application on real listeners, sharing one PostgreSQL; between them a recording relay; the
 * tokens come from the loopback Okta-like authorization server.
 */
describe('split deployment: the gateway forwards the voicebox routes to the Voicebox Service', () => {
  let as: TokenExchangeServer;
  let wire: OpenAiWireServer;
  let backend: VoiceboxTestApp;
  let relay: RecordingRelay;
  let gateway: TestApp;
  let gatewayUrl: string;
  let db: Record<string, string>;

  beforeAll(async () => {
    as = await TokenExchangeServer.start({
      resourceServers: RESOURCE_SERVERS,
      clients: [{ ...GATEWAY_CLIENT, allowed: { [SERVICE_API]: [SERVICE_SCOPE] } }],
    });
    wire = await OpenAiWireServer.start();
    db = await sharedTestDatabaseEnv();
    backend = await startVoicebox(wire, { ...db, ...voiceboxServiceEnv(as) });
    await backend.app.listen(0, '127.0.0.1');
    // The first question warms the Voicebox Service (schema, label index) beyond the gateway's timeout.
    wire.reply(sparqlReply(KAREN_DEPT_QUERY), answerReply('Marketing.'));
    await warmVoiceboxService(as, backend, 'ask');
    wire.reset();
    relay = await RecordingRelay.start(() => urlOf(backend));
    gateway = await startTestApp({
      ...db,
      VOICEBOX_ADMIN_TOKEN: ADMIN_TOKEN,
      ...gatewayEnv(as, relay.url, { VOICEBOX_SERVICE_TIMEOUT_SECONDS: '30' }),
    });
    await gateway.app.listen(0, '127.0.0.1');
    gatewayUrl = urlOf(gateway);
  });
  afterAll(async () => {
    await gateway?.close();
    await relay?.close();
    await backend?.close();
    await wire?.close();
    await as?.close();
  });
  afterEach(() => {
    wire.reset();
    relay.reset();
  });

  const headersFor = (userToken: string, extra: Record<string, string> = {}) => ({
    authorization: `Bearer ${userToken}`,
    'x-voicebox-app-key': backend.key,
    'x-client-id': 'web-client',
    ...extra,
  });
  const call = (
    route: 'ask' | 'generate-query' | 'stream/ask',
    userToken: string,
    payload: object = { query: QUESTION },
    extra: Record<string, string> = {},
  ) =>
    gateway.app.inject({
      method: 'POST',
      url: `/api/v1/voicebox/${route}`,
      headers: headersFor(userToken, extra),
      payload,
    });
  const userToken = (user: string) => as.issueUserToken(user, PUBLIC_API, 'voicebox:read');

  it("forwards ask with the user's token exchanged for the Voicebox Service (its audience, only VOICEBOX_SERVICE_SCOPE), the app key, X-Client-Id, X-SD-Auth-Token and the request id", async () => {
    const user = await userToken('alice');
    wire.reply(sparqlReply(KAREN_DEPT_QUERY), answerReply('Ms. Brant works in Marketing.'));
    const res = await call('ask', user, { query: QUESTION }, { 'x-sd-auth-token': SD_TOKEN });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<AskBody>();
    expect(body.result).toBe('Ms. Brant works in Marketing.');
    expect(actionOf(body, 'sparql')).toBe(KAREN_DEPT_QUERY);

    expect(relay.requests).toHaveLength(1);
    const [sent] = relay.requests;
    expect(sent.path).toBe('/api/v1/voicebox/ask');
    expect(JSON.parse(sent.body)).toEqual({ query: QUESTION });
    const token = /^Bearer (.+)$/.exec(String(sent.headers.authorization))![1];
    expect(token).not.toBe(user);
    expect(claimsOf(token)).toMatchObject({
      sub: 'alice',
      aud: SERVICE_API,
      scp: [SERVICE_SCOPE],
      cid: GATEWAY_CLIENT.id,
    });
    expect(sent.headers['x-voicebox-app-key']).toBe(backend.key);
    expect(sent.headers['x-client-id']).toBe('web-client');
    expect(sent.headers['x-sd-auth-token']).toBe(SD_TOKEN);
    expect(sent.headers['x-request-id']).toBe(res.headers['x-request-id']);
    expect(as.exchangesFor(SERVICE_API).at(-1)).toMatchObject({
      clientId: GATEWAY_CLIENT.id,
      subject: 'alice',
      scope: SERVICE_SCOPE,
    });

    // Each hop's audit line names the user; the gateway's says where the work went.
    const gwAudit = gateway.logs.json().find((l) => l.msg === 'audit' && l.subject === 'alice');
    expect(gwAudit).toMatchObject({
      client_id: 'web-client',
      forwarded_to: 'voicebox_service',
      forwarded_status: 200,
      token_exchanges: [{ hop: 'voicebox_service', source: 'miss' }],
      ask_outcome: 'forwarded',
      conversation_id: body.conversation_id,
    });
    expect(gwAudit?.llm_calls).toEqual([]);
    const beAudit = backend.logs.json().find((l) => l.msg === 'audit' && l.subject === 'alice');
    expect(beAudit).toMatchObject({
      request_id: res.headers['x-request-id'],
      client_id: 'web-client',
      ask_outcome: 'answered',
      conversation_id: body.conversation_id,
    });
    // No token, key or Stardog token in either log.
    for (const secret of [user, token, backend.key, SD_TOKEN]) {
      expect(gateway.logs.text).not.toContain(secret);
      expect(backend.logs.text).not.toContain(secret);
    }
  });

  it('forwards generate-query and continues a conversation the Voicebox Service stored', async () => {
    const user = await userToken('bob');
    wire.reply(sparqlReply(KAREN_DEPT_QUERY));
    const first = await call('generate-query', user);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json<AskBody>().result).toBe(KAREN_DEPT_QUERY);
    const conversation = first.json<AskBody>().conversation_id;

    wire.reply(
      answerReply('In which department does Ms. Brant work?'),
      sparqlReply(KAREN_DEPT_QUERY),
    );
    const next = await call('generate-query', user, {
      message: 'And hers?',
      conversation_id: conversation,
    });
    expect(next.statusCode, next.body).toBe(200);
    expect(next.json<AskBody>().conversation_id).toBe(conversation);
    expect(JSON.parse(relay.requests[1].body)).toEqual({
      query: 'And hers?',
      conversation_id: conversation,
    });
    // The exchanged token was cached: one exchange for this user.
    expect(as.exchangesFor(SERVICE_API).filter((e) => e.subject === 'bob')).toHaveLength(1);
  });

  it("passes the Voicebox Service's answer to a caller's mistake through: an unknown conversation is 404", async () => {
    const res = await call('ask', await userToken('carol'), {
      query: QUESTION,
      conversation_id: '3f1c7a52-9b4e-4d7a-8c11-5e2f0a9d6b33',
    });
    expect(res.statusCode, res.body).toBe(404);
    expect(relay.requests).toHaveLength(1);
    expect(res.json<{ code: string }>().code).toMatch(/^conversation\./);
  });

  it('streams: NDJSON lines pass through as the Voicebox Service writes them', async () => {
    const MODEL_DELAY_MS = 1200;
    wire.reply(
      { ...sparqlReply(KAREN_DEPT_QUERY), delayMs: MODEL_DELAY_MS },
      answerReply('Ms. Brant works in the Marketing department of the company.'),
    );
    const started = Date.now();
    const s = await openNdjsonStream<AskBody>(
      `${gatewayUrl}/api/v1/voicebox/stream/ask`,
      headersFor(await userToken('dave')),
      { query: QUESTION, think_mode: 'fast' },
    );
    expect(s.res.statusCode).toBe(200);
    expect(s.res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const first = await s.nextLine();
    expect(first.pending).toBe(true);
    // The first line came through while the model was still writing the query.
    expect(s.lines[0].at - started).toBeLessThan(MODEL_DELAY_MS);
    await s.ended;
    const events = s.lines.map((l) => l.event);
    expect(events.length, JSON.stringify(events)).toBeGreaterThan(3);
    expect(events.at(-1)).toMatchObject({
      pending: false,
      result: 'Ms. Brant works in the Marketing department of the company.',
    });
    expect(s.lines.at(-1)!.at - s.lines[0].at).toBeGreaterThanOrEqual(MODEL_DELAY_MS - 200);
    expect(JSON.parse(relay.requests[0].body)).toEqual({ query: QUESTION, think_mode: 'fast' });
  });

  it('a client that leaves the stream aborts the request to the Voicebox Service, which stops its LLM call', async () => {
    wire.reply({ kind: 'hang' });
    const s = await openNdjsonStream<AskBody>(
      `${gatewayUrl}/api/v1/voicebox/stream/ask`,
      headersFor(await userToken('erin')),
      { query: QUESTION },
    );
    await s.nextLine();
    const closed = wire.clientClosed();
    while (wire.requests.length === 0) await new Promise((r) => setTimeout(r, 20));
    s.req.destroy();
    await closed;
    expect(wire.requests[0].clientClosed).toBe(true);
  });

  it('ends a stream the Voicebox Service broke off with a last line carrying the error', async () => {
    wire.reply({ ...sparqlReply(KAREN_DEPT_QUERY), delayMs: 300 });
    relay.mode = 'cut';
    const s = await openNdjsonStream<AskBody>(
      `${gatewayUrl}/api/v1/voicebox/stream/ask`,
      headersFor(await userToken('eve')),
      { query: QUESTION },
    );
    expect(s.res.statusCode).toBe(200);
    await s.ended;
    const events = s.lines.map((l) => l.event);
    expect(events).toHaveLength(2);
    expect(events[0].pending).toBe(true);
    expect(events[1]).toMatchObject({
      pending: false,
      conversation_id: events[0].conversation_id,
      message_id: events[0].message_id,
    });
    expect(actionOf(events[1], 'error')).toMatchObject({
      status: 502,
      code: 'voicebox_service.stream_broken',
    });
  });

  it('answers 502 when the Voicebox Service breaks the stream off before its first line', async () => {
    relay.mode = 'cut';
    relay.cutAfterLines = 0;
    const res = await call('stream/ask', await userToken('eve'));
    expect(res.statusCode, res.body).toBe(502);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.json()).toMatchObject({ code: 'voicebox_service.stream_broken' });
  });

  it('answers 503 with Retry-After when the Voicebox Service cannot be reached', async () => {
    relay.mode = 'down';
    const res = await call('ask', await userToken('frank'));
    expect(res.statusCode, res.body).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toMatchObject({ code: 'voicebox_service.unavailable' });
    const streamed = await call('stream/ask', await userToken('frank'));
    expect(streamed.statusCode).toBe(503);
    expect(streamed.headers['content-type']).toMatch(/application\/json/);
  });

  it('answers 504 when the Voicebox Service does not answer within VOICEBOX_SERVICE_TIMEOUT_SECONDS', async () => {
    relay.mode = 'hang';
    const impatient = await startTestApp({
      ...db,
      ...gatewayEnv(as, relay.url, { VOICEBOX_SERVICE_TIMEOUT_SECONDS: '1' }),
    });
    try {
      const res = await impatient.app.inject({
        method: 'POST',
        url: '/api/v1/voicebox/generate-query',
        headers: headersFor(await userToken('grace')),
        payload: { query: QUESTION },
      });
      expect(res.statusCode, res.body).toBe(504);
      expect(res.json()).toMatchObject({ code: 'voicebox_service.timeout' });
    } finally {
      await impatient.close();
    }
  });

  it('answers 502 when the Voicebox Service fails', async () => {
    relay.mode = 'status500';
    const res = await call('ask', await userToken('heidi'));
    expect(res.statusCode, res.body).toBe(502);
    expect(res.json()).toMatchObject({ code: 'voicebox_service.failed', upstream_status: 500 });
  });

  it("answers 502 and logs the settings to check when the Voicebox Service refuses the gateway's token", async () => {
    // A real token of the user, but for the public API: not what the Voicebox Service accepts.
    const user = await userToken('ivan');
    relay.forgedAuthorization = `Bearer ${user}`;
    const res = await call('ask', user);
    expect(res.statusCode, res.body).toBe(502);
    expect(res.json()).toMatchObject({ code: 'voicebox_service.refused', upstream_status: 401 });
    const log = gateway.logs
      .json()
      .find((l) => String(l.msg).startsWith('the Voicebox Service refused'));
    expect(String(log?.msg)).toContain(
      'OKTA_AUTHORIZATION_SERVER_AUDIENCE and VOICEBOX_SERVICE_SCOPE',
    );
    expect(gateway.logs.text).not.toContain(user);
  });

  it("refuses the call before forwarding it when the authorization server refuses the user's token (401 with the reason)", async () => {
    const expired = await as.idp.forge({
      sub: 'judy',
      aud: PUBLIC_API,
      exp: Math.floor(Date.now() / 1000) - 5,
    });
    const res = await call('ask', expired);
    expect(res.statusCode, res.body).toBe(401);
    expect(res.json()).toMatchObject({ code: 'token_exchange.refused', error: 'invalid_grant' });
    expect(relay.requests).toHaveLength(0);
  });

  it('keeps the app settings on the gateway', async () => {
    const res = await gateway.app.inject({
      method: 'GET',
      url: '/api/v1/app',
      headers: headersFor(await userToken('kim')),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ database: 'ck25' });
    expect(relay.requests).toHaveLength(0);
  });
});

describe('split deployment: start-up', () => {
  let as: TokenExchangeServer;
  beforeAll(async () => {
    as = await TokenExchangeServer.start({ resourceServers: RESOURCE_SERVERS, clients: [] });
  });
  afterAll(() => as?.close());

  it('stops with a message naming the variable when the private key of the gateway client cannot be read', async () => {
    const env = gatewayEnv(as, 'http://127.0.0.1:9', {
      OKTA_BACKEND_CLIENT_PRIVATE_KEY_FILE: '/nonexistent/gateway-key.pem',
    });
    await expect(startTestApp(env)).rejects.toThrow(/OKTA_BACKEND_CLIENT_PRIVATE_KEY_FILE/);
  });
});
