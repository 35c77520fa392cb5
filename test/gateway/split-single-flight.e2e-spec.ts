import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenExchangeServer } from '../support/idp/token-exchange-server.js';
import { requireGatewayToken, type GatewayCall } from '../support/llm-wire/llm-gateway-auth.js';
import { OpenAiWireServer } from '../support/llm-wire/openai-wire-server.js';
import { sharedTestDatabaseEnv } from '../support/postgres.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  GATEWAY_CLIENT,
  LLM_GATEWAY,
  PUBLIC_API,
  RESOURCE_SERVERS,
  SERVICE_API,
  SERVICE_CLIENT,
} from '../token-exchange/exchange-kit.js';
import {
  ADMIN_TOKEN,
  KAREN_DEPT_QUERY,
  sparqlReply,
  startVoicebox,
  type VoiceboxTestApp,
} from '../voicebox/voicebox-kit.js';
import {
  SERVICE_SCOPE,
  gatewayEnv,
  voiceboxServiceEnv,
  urlOf,
  warmVoiceboxService,
} from './split-kit.js';

const QUESTION = 'In which department is Ms. Brant?';
const LLM_SCOPE = 'llm.invoke';
const USERS = ['ada', 'ben', 'cleo', 'dan', 'eve'];
const REQUESTS = 200;

/** `voicebox_token_exchange_cache_total{hop,result}` read from a metrics page. */
function cacheCount(metrics: string, hop: string, result: string): number {
  const line = new RegExp(
    `^voicebox_token_exchange_cache_total\\{hop="${hop}",result="${result}"\\} (\\d+)$`,
    'm',
  ).exec(metrics);
  return Number(line?.[1] ?? 0);
}

/**
 * Issue 18 item 4 on both hops of a split deployment: the gateway exchanges each user's token for
 * the Voicebox Service, and the Voicebox Service exchanges the token it received for the LLM
 * gateway. The authorization server answers each exchange after 300 ms, so all 200 requests are in
 * flight while the first exchange of each user runs: without single flight the server would see one
 * exchange per request on each hop.
 */
describe('split deployment: 200 concurrent requests of 5 users cost 5 exchanges per hop', () => {
  let as: TokenExchangeServer;
  let wire: OpenAiWireServer;
  let llmGateway: GatewayCall[];
  let backend: VoiceboxTestApp;
  let gateway: TestApp;

  beforeAll(async () => {
    as = await TokenExchangeServer.start({
      resourceServers: RESOURCE_SERVERS,
      clients: [
        { ...GATEWAY_CLIENT, allowed: { [SERVICE_API]: [SERVICE_SCOPE] } },
        { ...SERVICE_CLIENT, allowed: { [LLM_GATEWAY]: [LLM_SCOPE] } },
      ],
    });
    wire = await OpenAiWireServer.start();
    llmGateway = requireGatewayToken(wire, {
      jwksUri: as.idp.jwksUri,
      issuer: as.issuer,
      audience: LLM_GATEWAY,
      requiredScope: LLM_SCOPE,
    });
    const db = await sharedTestDatabaseEnv();
    backend = await startVoicebox(wire, {
      ...db,
      ...voiceboxServiceEnv(as),
      TOKEN_EXCHANGE_PROVIDER: 'okta',
      OKTA_CLIENT_ID: SERVICE_CLIENT.id,
      OKTA_CLIENT_SECRET: SERVICE_CLIENT.secret,
      OKTA_DISCOVERY_URL: as.discoveryUrl,
      OKTA_LLM_GATEWAY_AUDIENCE: LLM_GATEWAY,
      OKTA_LLM_GATEWAY_SCOPE: LLM_SCOPE,
      // The exchanged token is the LLM gateway's only credential.
      OPENAI_API_KEY: '',
    });
    await backend.app.listen(0, '127.0.0.1');
    // Warm the Voicebox Service (schema, label index) so the burst measures exchanges, not start-up.
    wire.reply(sparqlReply(KAREN_DEPT_QUERY));
    await warmVoiceboxService(as, backend, 'generate-query');
    gateway = await startTestApp({
      ...db,
      VOICEBOX_ADMIN_TOKEN: ADMIN_TOKEN,
      ...gatewayEnv(as, urlOf(backend), { VOICEBOX_SERVICE_TIMEOUT_SECONDS: '60' }),
      // The gateway answers no question itself.
      VOICEBOX_EMBEDDED_DEMO: 'false',
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await backend?.close();
    await wire?.close();
    await as?.close();
  });

  it('the authorization server sees exactly 5 exchanges for the Voicebox Service and 5 for the LLM gateway', async () => {
    const tokens = await Promise.all(
      USERS.map((u) => as.issueUserToken(u, PUBLIC_API, 'voicebox:read')),
    );
    const servicesBefore = as.exchangesFor(SERVICE_API).length;
    const llmBefore = as.exchangesFor(LLM_GATEWAY).length;
    const llmCallsBefore = llmGateway.length;
    const countsBefore = await Promise.all([gateway.scrapeMetrics(), backend.scrapeMetrics()]);
    wire.reply(...Array.from({ length: REQUESTS }, () => sparqlReply(KAREN_DEPT_QUERY)));
    as.idp.tokenMode = 'slow';
    as.idp.tokenDelayMs = 300;
    try {
      const replies = await Promise.all(
        Array.from({ length: REQUESTS }, (_, i) =>
          gateway.app.inject({
            method: 'POST',
            url: '/api/v1/voicebox/generate-query',
            headers: {
              authorization: `Bearer ${tokens[i % USERS.length]}`,
              'x-voicebox-app-key': backend.key,
              'x-client-id': `web-${i}`,
            },
            payload: { query: QUESTION },
          }),
        ),
      );
      for (const res of replies) expect(res.statusCode, res.body).toBe(200);
    } finally {
      as.idp.tokenMode = 'up';
    }

    const toService = as.exchangesFor(SERVICE_API).slice(servicesBefore);
    expect(toService).toHaveLength(USERS.length);
    expect(toService.map((e) => e.subject).sort()).toEqual(USERS);
    expect(new Set(toService.map((e) => e.clientId))).toEqual(new Set([GATEWAY_CLIENT.id]));
    const toLlm = as.exchangesFor(LLM_GATEWAY).slice(llmBefore);
    expect(toLlm).toHaveLength(USERS.length);
    expect(toLlm.map((e) => e.subject).sort()).toEqual(USERS);
    expect(new Set(toLlm.map((e) => e.clientId))).toEqual(new Set([SERVICE_CLIENT.id]));

    // Every LLM call carried its user's exchanged token, and each hop's counters add up: one miss
    // per user, the other 195 requests joined a running exchange or found it cached.
    const calls = llmGateway.slice(llmCallsBefore);
    expect(calls).toHaveLength(REQUESTS);
    for (const call of calls) expect(call.claims).toMatchObject({ aud: LLM_GATEWAY });
    const countsAfter = await Promise.all([gateway.scrapeMetrics(), backend.scrapeMetrics()]);
    for (const [i, hop] of (['voicebox_service', 'llm_gateway'] as const).entries()) {
      const delta = (result: string) =>
        cacheCount(countsAfter[i].body, hop, result) -
        cacheCount(countsBefore[i].body, hop, result);
      expect(delta('miss'), hop).toBe(USERS.length);
      expect(delta('joined') + delta('hit'), hop).toBe(REQUESTS - USERS.length);
    }
  });
});
