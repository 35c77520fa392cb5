import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toErrorReply } from '../../src/common/errors/error-mapping.js';
import { TokenExchangeServer } from '../support/idp/token-exchange-server.js';
import { requireGatewayToken, type GatewayCall } from '../support/llm-wire/llm-gateway-auth.js';
import { OpenAiWireServer } from '../support/llm-wire/openai-wire-server.js';
import { PV, sparqlReply, startVoicebox, type VoiceboxTestApp } from '../voicebox/voicebox-kit.js';
import {
  LLM_GATEWAY,
  PUBLIC_API,
  RESOURCE_SERVERS,
  SERVICE_CLIENT,
  exchangeKit,
  llmHopEnv,
} from './exchange-kit.js';

const QUERY = `PREFIX pv: <${PV}>
SELECT ?dept WHERE { ?dept a pv:Department } LIMIT 3`;

/**
 * One process (no split): the user's token arrives in public-API JWT mode, and every LLM call of
 * the request carries the token exchanged for the LLM gateway, which verifies it against the
 * authorization server's keys.
 */
describe('the hop to the LLM gateway, over HTTP', () => {
  let as: TokenExchangeServer;
  let wire: OpenAiWireServer;
  let gateway: GatewayCall[];
  let t: VoiceboxTestApp;
  beforeAll(async () => {
    as = await TokenExchangeServer.start({
      resourceServers: RESOURCE_SERVERS,
      clients: [{ ...SERVICE_CLIENT, allowed: { [LLM_GATEWAY]: ['llm.invoke'] } }],
    });
    wire = await OpenAiWireServer.start();
    gateway = requireGatewayToken(wire, {
      jwksUri: as.idp.jwksUri,
      issuer: as.issuer,
      audience: LLM_GATEWAY,
      requiredScope: 'llm.invoke',
    });
    // One process in public-API JWT mode: the user's token is checked against API_AUTH_*.
    const hop = llmHopEnv(as);
    for (const name of ['REQUIRE_JWT_AUTH', 'JWT_ISSUER', 'JWT_JWKS_URI']) delete hop[name];
    t = await startVoicebox(wire, {
      ...hop,
      OPENAI_API_KEY: '',
      API_AUTH_JWT_ENABLED: 'true',
      API_AUTH_ISSUER: as.issuer,
      API_AUTH_JWKS_URI: as.idp.jwksUri,
      API_AUTH_AUDIENCE: PUBLIC_API,
      TOKEN_EXCHANGE_TIMEOUT_MS: '300',
    });
  });
  afterAll(async () => {
    await t?.close();
    await wire?.close();
    await as?.close();
  });
  afterEach(() => {
    wire.reset();
    as.idp.tokenMode = 'up';
  });

  const ask = (userToken: string, route = 'generate-query') =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/voicebox/${route}`,
      headers: {
        authorization: `Bearer ${userToken}`,
        'x-voicebox-app-key': t.key,
        'x-client-id': 'web',
      },
      payload: { query: 'Which departments are there?' },
    });

  it("sends the user's exchanged token as the Authorization of every LLM call, and audits the exchange", async () => {
    const user = await as.issueUserToken('alice', PUBLIC_API, 'voicebox:read');
    wire.reply(sparqlReply(QUERY));
    const res = await ask(user);
    expect(res.statusCode, res.body).toBe(200);
    expect(gateway.length).toBeGreaterThan(0);
    for (const call of gateway) {
      expect(call.claims).toMatchObject({ sub: 'alice', aud: LLM_GATEWAY, scp: ['llm.invoke'] });
    }
    const audit = t.logs.json().find((l) => l.msg === 'audit' && l.subject === 'alice');
    expect(audit).toMatchObject({ token_exchanges: [{ hop: 'llm_gateway', source: 'miss' }] });
    expect(t.logs.text).not.toContain(user);
  });

  it('keeps serving users whose exchanged token is cached while the authorization server is down; others get 503 with Retry-After', async () => {
    const cached = await as.issueUserToken('bob', PUBLIC_API, 'voicebox:read');
    wire.reply(sparqlReply(QUERY));
    expect((await ask(cached)).statusCode).toBe(200);
    const fresh = await as.issueUserToken('carol', PUBLIC_API, 'voicebox:read');

    for (const mode of ['down', 'error', 'slow'] as const) {
      as.idp.tokenMode = mode;
      as.idp.tokenDelayMs = 2000;
      const refused = await ask(fresh);
      expect(refused.statusCode, `${mode}: ${refused.body}`).toBe(503);
      expect(refused.headers['retry-after']).toBe(mode === 'error' ? '7' : '5');
      expect(refused.json()).toMatchObject({ code: 'token_exchange.unavailable' });
      wire.reply(sparqlReply(QUERY));
      expect((await ask(cached)).statusCode).toBe(200);
    }
    expect(t.logs.text).not.toContain(fresh);
    // The operator sees it on the metrics port: three failed exchanges, the cached user served.
    const metrics = (await t.scrapeMetrics()).body;
    expect(metrics).toContain(
      'voicebox_token_exchanges_total{hop="llm_gateway",outcome="unavailable"} 3',
    );
    expect(metrics).toMatch(
      /voicebox_token_exchange_duration_seconds_count\{hop="llm_gateway",outcome="unavailable"\} 3/,
    );
    const hits = /voicebox_token_exchange_cache_total\{hop="llm_gateway",result="hit"\} (\d+)/.exec(
      metrics,
    );
    expect(Number(hits?.[1])).toBeGreaterThanOrEqual(3);
  });

  it("answers 401 with the server's reason when it refuses the user's token", async () => {
    // Within this service's leeway, already expired for the authorization server: invalid_grant.
    const expired = await as.idp.forge({
      sub: 'dave',
      aud: PUBLIC_API,
      exp: Math.floor(Date.now() / 1000) - 5,
    });
    const res = await ask(expired);
    expect(res.statusCode, res.body).toBe(401);
    expect(res.json()).toMatchObject({
      code: 'token_exchange.refused',
      error: 'invalid_grant',
      reason: 'The subject token is expired.',
    });
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="voicebox", error="invalid_token", error_description="invalid_grant: The subject token is expired."',
    );
    expect(res.body).not.toContain(expired);
    expect(wire.requests).toHaveLength(0);
  });

  it('streams: a failed exchange is an HTTP error, not a broken stream', async () => {
    const user = await as.issueUserToken('erin', PUBLIC_API, 'voicebox:read');
    as.idp.tokenMode = 'down';
    const res = await ask(user, 'stream/ask');
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/application\/json/);
  });
});

describe('refusals of the exchange, as HTTP answers', () => {
  let as: TokenExchangeServer;
  beforeAll(async () => {
    as = await TokenExchangeServer.start({
      resourceServers: RESOURCE_SERVERS,
      clients: [{ ...SERVICE_CLIENT, allowed: { [LLM_GATEWAY]: ['llm.invoke'] } }],
    });
  });
  afterAll(() => as?.close());

  const refusal = async (env: Record<string, string>, subject?: string) => {
    const kit = await exchangeKit(llmHopEnv(as, env));
    const token = subject ?? (await as.issueUserToken('frank', PUBLIC_API, 'voicebox:read'));
    const err = await kit.service.exchange('llm_gateway', token).catch((e: unknown) => e);
    const reply = toErrorReply(err);
    expect(JSON.stringify(reply)).not.toContain(token);
    expect(kit.logs.text).not.toContain(token);
    return { reply, kit };
  };

  it.each([
    ['an unknown audience', { OKTA_LLM_GATEWAY_AUDIENCE: 'api://nowhere' }, 'invalid_target'],
    ['an unknown scope', { OKTA_LLM_GATEWAY_SCOPE: 'llm.everything' }, 'invalid_scope'],
  ])('answers 403 with the reason for %s', async (_name, env, error) => {
    const { reply, kit } = await refusal(env);
    expect(reply.status).toBe(403);
    expect(await kit.metrics.registry.metrics()).toContain(
      'voicebox_token_exchanges_total{hop="llm_gateway",outcome="refused"} 1',
    );
    expect(reply.body).toMatchObject({ code: 'token_exchange.refused', error });
    expect(reply.headers['WWW-Authenticate']).toMatch(
      new RegExp(
        `^Bearer realm="voicebox", error="insufficient_scope", error_description="${error}`,
      ),
    );
  });

  it('answers 401 invalid_request for a subject token the server does not trust', async () => {
    // Signed by the server's key, but naming an issuer it does not trust (Okta: invalid_request).
    const wrongIssuer = await as.idp.forge({ sub: 'mallory', iss: 'https://elsewhere.example' });
    const { reply } = await refusal({}, wrongIssuer);
    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({
      error: 'invalid_request',
      reason: "'subject_token' is invalid",
    });
  });

  it.each([
    [
      'a wrong client secret',
      { OKTA_CLIENT_SECRET: 'not-the-secret-0123456789' },
      'invalid_client',
      /check OKTA_CLIENT_ID and OKTA_CLIENT_SECRET/,
    ],
    [
      'a scope the client may not obtain',
      { OKTA_LLM_GATEWAY_SCOPE: 'llm.admin' },
      'unauthorized_client',
      /OKTA_LLM_GATEWAY_AUDIENCE and OKTA_LLM_GATEWAY_SCOPE/,
    ],
  ])(
    "answers 502 and logs the setting to fix for %s (this service's client refused)",
    async (_name, env, error, setting) => {
      const { reply, kit } = await refusal(env);
      expect(reply.status).toBe(502);
      expect(reply.body).toMatchObject({ code: 'token_exchange.client_refused', error });
      const line = kit.logs.json().find((l) => l.level === 50 || l.level === 'error');
      expect(String(line?.msg)).toMatch(setting);
      expect(kit.logs.text).not.toContain('not-the-secret-0123456789');
      expect(JSON.stringify(reply)).not.toContain('not-the-secret-0123456789');
      expect(await kit.metrics.registry.metrics()).toContain(
        'voicebox_token_exchanges_total{hop="llm_gateway",outcome="client_refused"} 1',
      );
    },
  );
});
