import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toErrorReply } from '../../src/common/errors/error-mapping.js';
import {
  TokenExchangeServer,
  claimsOf,
  type ExchangeDialect,
} from '../support/idp/token-exchange-server.js';
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

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';

/** What each dialect must put on the wire, and what its server must give back. */
const DIALECTS: Array<{
  dialect: Exclude<ExchangeDialect, 'okta'>;
  form: Record<string, string>;
  absent: string[];
  authMethod: string;
  scp: unknown;
}> = [
  {
    dialect: 'rfc8693',
    form: {
      grant_type: TOKEN_EXCHANGE,
      subject_token_type: ACCESS_TOKEN,
      requested_token_type: ACCESS_TOKEN,
      audience: LLM_GATEWAY,
      scope: 'llm.invoke',
    },
    absent: ['assertion', 'requested_token_use', 'actor_token'],
    authMethod: 'client_secret',
    scp: ['llm.invoke'],
  },
  {
    dialect: 'entra',
    form: {
      grant_type: JWT_BEARER,
      requested_token_use: 'on_behalf_of',
      // Entra has no audience parameter: the resource is named inside the scope.
      scope: `${LLM_GATEWAY}/llm.invoke`,
      client_id: SERVICE_CLIENT.id,
    },
    absent: ['audience', 'subject_token', 'subject_token_type'],
    authMethod: 'client_secret',
    scp: 'llm.invoke',
  },
];

/**
 * TOKEN_EXCHANGE_PROVIDER=rfc8693 (a generic RFC 8693 server such as Keycloak) and `entra`
 * (Microsoft Entra ID on-behalf-of), each against the loopback authorization server speaking only
 * that dialect, first through the exchange service and then through the real LLM hop.
 */
describe.each(DIALECTS)('TOKEN_EXCHANGE_PROVIDER=$dialect', ({ dialect, form, absent, scp }) => {
  let as: TokenExchangeServer;
  let wire: OpenAiWireServer;
  let gateway: GatewayCall[];
  let t: VoiceboxTestApp;
  beforeAll(async () => {
    as = await TokenExchangeServer.start({
      dialect,
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
    const hop = llmHopEnv(as);
    for (const name of ['REQUIRE_JWT_AUTH', 'JWT_ISSUER', 'JWT_JWKS_URI']) delete hop[name];
    t = await startVoicebox(wire, {
      ...hop,
      OPENAI_API_KEY: '',
      API_AUTH_JWT_ENABLED: 'true',
      API_AUTH_ISSUER: as.issuer,
      API_AUTH_JWKS_URI: as.idp.jwksUri,
      API_AUTH_AUDIENCE: PUBLIC_API,
    });
  });
  afterAll(async () => {
    await t?.close();
    await wire?.close();
    await as?.close();
  });

  const userToken = (user: string) => as.issueUserToken(user, PUBLIC_API, 'voicebox:read');

  it("sends the dialect's grant and gets a token for the gateway carrying the user as subject", async () => {
    const kit = await exchangeKit(llmHopEnv(as));
    const subject = await userToken('alice');
    const token = await kit.service.exchange('llm_gateway', subject);
    expect(claimsOf(token)).toMatchObject({ sub: 'alice', aud: LLM_GATEWAY, scp });
    const sent = as.exchanges.at(-1)!;
    expect(sent.dialect).toBe(dialect);
    expect(sent.form).toMatchObject(form);
    expect(sent.form[dialect === 'entra' ? 'assertion' : 'subject_token']).toBe(subject);
    for (const name of absent) expect(sent.form[name], name).toBeUndefined();
    expect(kit.logs.text).not.toContain(subject);
    expect(kit.logs.text).not.toContain(token);
  });

  it("puts the exchanged token on every LLM call of an ask, the gateway verifying the user's subject", async () => {
    const user = await userToken('bob');
    wire.reply(sparqlReply(QUERY));
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/voicebox/generate-query',
      headers: {
        authorization: `Bearer ${user}`,
        'x-voicebox-app-key': t.key,
        'x-client-id': 'web',
      },
      payload: { query: 'Which departments are there?' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(gateway.length).toBeGreaterThan(0);
    for (const call of gateway) {
      expect(call.claims).toMatchObject({ sub: 'bob', aud: LLM_GATEWAY, scp });
      expect(call.audit).toBe(`llm-gateway audit: user=bob client=${SERVICE_CLIENT.id}`);
    }
    expect(as.exchangesFor(LLM_GATEWAY).at(-1)).toMatchObject({ dialect, subject: 'bob' });
    expect(t.logs.text).not.toContain(user);
  });

  it("answers 401 with the server's reason when it refuses the user's token", async () => {
    const kit = await exchangeKit(llmHopEnv(as));
    // Signed by the server's key but naming an issuer it does not trust.
    const foreign = await as.idp.forge({ sub: 'mallory', iss: 'https://elsewhere.example' });
    const reply = toErrorReply(
      await kit.service.exchange('llm_gateway', foreign).catch((e: unknown) => e),
    );
    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({
      code: 'token_exchange.refused',
      error: dialect === 'entra' ? 'invalid_grant' : 'invalid_request',
    });
    expect(reply.headers['WWW-Authenticate']).toMatch(
      /^Bearer realm="voicebox", error="invalid_token"/,
    );
    expect(JSON.stringify(reply)).not.toContain(foreign);
  });

  it('answers 502 and logs the setting to fix for a wrong client secret', async () => {
    const kit = await exchangeKit(
      llmHopEnv(as, { OKTA_CLIENT_SECRET: 'not-the-secret-0123456789' }),
    );
    const reply = toErrorReply(
      await kit.service.exchange('llm_gateway', await userToken('carol')).catch((e: unknown) => e),
    );
    expect(reply.status).toBe(502);
    expect(reply.body).toMatchObject({
      code: 'token_exchange.client_refused',
      error: 'invalid_client',
    });
    const line = kit.logs.json().find((l) => l.level === 50 || l.level === 'error');
    expect(String(line?.msg)).toMatch(/check OKTA_CLIENT_ID and OKTA_CLIENT_SECRET/);
    expect(kit.logs.text).not.toContain('not-the-secret-0123456789');
  });

  it('answers 502 naming TOKEN_EXCHANGE_PROVIDER when the service speaks another dialect than the server', async () => {
    const other = dialect === 'entra' ? 'rfc8693' : 'entra';
    const kit = await exchangeKit(llmHopEnv(as, { TOKEN_EXCHANGE_PROVIDER: other }));
    const reply = toErrorReply(
      await kit.service.exchange('llm_gateway', await userToken('dan')).catch((e: unknown) => e),
    );
    expect(reply.status).toBe(502);
    expect(reply.body).toMatchObject({ code: 'token_exchange.client_refused' });
    const line = kit.logs.json().find((l) => l.level === 50 || l.level === 'error');
    expect(String(line?.msg)).toMatch(
      new RegExp(`check TOKEN_EXCHANGE_PROVIDER \\(now ${other}\\)`),
    );
  });
});

describe('TOKEN_EXCHANGE_PROVIDER=okta against a strict RFC 8693 server', () => {
  let as: TokenExchangeServer;
  beforeAll(async () => {
    as = await TokenExchangeServer.start({
      dialect: 'rfc8693',
      resourceServers: RESOURCE_SERVERS,
      clients: [SERVICE_CLIENT],
    });
  });
  afterAll(() => as?.close());

  it('is refused for want of requested_token_type: the rfc8693 dialect is what such a server needs', async () => {
    const kit = await exchangeKit(llmHopEnv(as, { TOKEN_EXCHANGE_PROVIDER: 'okta' }));
    const user = await as.issueUserToken('erin', PUBLIC_API, 'voicebox:read');
    const err = await kit.service.exchange('llm_gateway', user).catch((e: unknown) => e);
    expect(toErrorReply(err).body).toMatchObject({
      error: 'invalid_request',
      reason: "'requested_token_type' must be the access token type",
    });
  });
});
