import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llmConfig, writeVbxConfig } from '../llm/llm-test-kit.js';
import {
  TokenExchangeServer,
  claimsOf,
  clientKeyPair,
} from '../support/idp/token-exchange-server.js';
import { requireGatewayToken, type GatewayCall } from '../support/llm-wire/llm-gateway-auth.js';
import { OpenAiWireServer } from '../support/llm-wire/openai-wire-server.js';
import { openNdjsonStream } from '../support/ndjson-stream.js';
import { sharedTestDatabaseEnv } from '../support/postgres.js';
import {
  freePort,
  spawnService,
  waitForHttp,
  type ServiceProcess,
} from '../support/service-process.js';
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
  actionOf,
  answerReply,
  sparqlReply,
  type AskBody,
} from '../voicebox/voicebox-kit.js';
import { SERVICE_SCOPE, gatewayEnv, voiceboxServiceEnv } from './split-kit.js';

const QUESTION = 'In which department is Ms. Brant?';
const LLM_SCOPE = 'llm.invoke';
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };

interface AuditRecord {
  request_id: string;
  route: string;
  status: number;
  outcome: string;
  subject?: string;
  client_id?: string;
  llm_calls: unknown[];
}

/**
 * Issue 18 item 6, the chain of trust end to end, real parts only on loopback: the Okta-like
 * authorization server (oidc-provider with its token-exchange grant, its errors and its `aud` rule
 * for private-key JWT client assertions), a client that logs the user in, the gateway and the
 * Voicebox Service as two processes of the built service sharing one PostgreSQL, and an LLM gateway
 * speaking the OpenAI protocol that admits only tokens verified against the server's JWKS.
 */
describe('the chain of trust: client → gateway → Voicebox Service → LLM gateway', () => {
  let as: TokenExchangeServer;
  let wire: OpenAiWireServer;
  let llmGateway: GatewayCall[];
  let backend: ServiceProcess | undefined;
  let gateway: ServiceProcess | undefined;
  let gatewayUrl: string;
  let key: string;
  let scratch: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'vbx-chain-'));
    // Both hops authenticate with private-key JWTs, whose `aud` the server checks as Okta does.
    const gatewayKey = await clientKeyPair('gateway-key-1');
    const serviceKey = await clientKeyPair('service-key-1');
    const gatewayPem = join(scratch, 'gateway.pem');
    const servicePem = join(scratch, 'service.pem');
    writeFileSync(gatewayPem, gatewayKey.pem);
    writeFileSync(servicePem, serviceKey.pem);
    as = await TokenExchangeServer.start({
      resourceServers: RESOURCE_SERVERS,
      clients: [
        {
          id: GATEWAY_CLIENT.id,
          publicJwk: gatewayKey.publicJwk,
          allowed: { [SERVICE_API]: [SERVICE_SCOPE] },
        },
        {
          id: SERVICE_CLIENT.id,
          publicJwk: serviceKey.publicJwk,
          allowed: { [LLM_GATEWAY]: [LLM_SCOPE] },
        },
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
    const backendPort = await freePort();
    const common = { ...db, VOICEBOX_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'INFO' };
    [backend, gateway] = await Promise.all([
      spawnService({
        ...common,
        ...voiceboxServiceEnv(as),
        PORT: String(backendPort),
        TOKEN_EXCHANGE_PROVIDER: 'okta',
        OKTA_CLIENT_ID: SERVICE_CLIENT.id,
        OKTA_PRIVATE_KEY_PATH: servicePem,
        OKTA_PRIVATE_KEY_ID: 'service-key-1',
        OKTA_DISCOVERY_URL: as.discoveryUrl,
        OKTA_LLM_GATEWAY_AUDIENCE: LLM_GATEWAY,
        OKTA_LLM_GATEWAY_SCOPE: LLM_SCOPE,
        // No API key: the exchanged token is the LLM gateway's only credential.
        VBX_CONFIG_FILE: writeVbxConfig(
          { default_llm_config: llmConfig('openai', 'gpt-4o', { server_url: `${wire.url}/v1` }) },
          scratch,
        ),
        LLM_MAX_RETRIES: '0',
      }),
      spawnService({
        ...common,
        ...gatewayEnv(as, `http://127.0.0.1:${backendPort}`, {
          OKTA_BACKEND_CLIENT_SECRET: '',
          OKTA_BACKEND_CLIENT_PRIVATE_KEY_FILE: gatewayPem,
          OKTA_BACKEND_CLIENT_PRIVATE_KEY_ID: 'gateway-key-1',
        }),
        // The gateway answers no question itself: no embedded demo graph, no LLM.
        VOICEBOX_EMBEDDED_DEMO: 'false',
      }),
    ]);
    await Promise.all([
      waitForHttp(backend, '/system/ready'),
      waitForHttp(gateway, '/system/ready'),
    ]);
    gatewayUrl = `http://127.0.0.1:${gateway.port}`;

    // The app and its key are made on the gateway, which keeps apps and keys.
    const app = await fetch(`${gatewayUrl}/api/v1/admin/apps`, {
      method: 'POST',
      headers: ADMIN,
      body: JSON.stringify({ name: 'ck25-chain', database: 'ck25' }),
    });
    expect(app.status).toBe(201);
    const { id } = (await app.json()) as { id: string };
    const created = await fetch(`${gatewayUrl}/api/v1/admin/apps/${id}/keys`, {
      method: 'POST',
      headers: ADMIN,
      body: JSON.stringify({ name: 'chain' }),
    });
    expect(created.status).toBe(201);
    ({ key } = (await created.json()) as { key: string });
  });

  afterAll(async () => {
    for (const p of [gateway, backend]) {
      if (p && p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill('SIGTERM');
        await p.exited;
      }
    }
    await wire?.close();
    await as?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** The user signs in at the authorization server through the client app (password grant). */
  const signIn = (user: string) => as.issueUserToken(user, PUBLIC_API, 'voicebox:read');
  const headersFor = (userToken: string) => ({
    authorization: `Bearer ${userToken}`,
    'x-voicebox-app-key': key,
    'x-client-id': 'chain-web',
  });
  const post = (route: string, userToken: string, body: object) =>
    fetch(`${gatewayUrl}/api/v1/voicebox/${route}`, {
      method: 'POST',
      headers: { ...headersFor(userToken), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const auditLines = (svc: ServiceProcess) =>
    svc
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'audit');
  /** The audit line of a request; the log is flushed every 250 ms, so it may take a moment. */
  const auditLineOf = async (svc: ServiceProcess, requestId: string | null) => {
    for (let i = 0; i < 40; i++) {
      const line = auditLines(svc).find((l) => l.request_id === requestId);
      if (line) return line;
      await new Promise((r) => setTimeout(r, 100));
    }
    return undefined;
  };

  it("carries the user's identity to the LLM gateway in a token for its audience with only the configured scope, and every hop's audit names the user", async () => {
    const user = await signIn('alice');
    const callsBefore = llmGateway.length;
    wire.reply(sparqlReply(KAREN_DEPT_QUERY), answerReply('Ms. Brant works in Marketing.'));
    const res = await post('ask', user, { query: QUESTION });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    const answer = JSON.parse(text) as AskBody;
    expect(answer.result).toBe('Ms. Brant works in Marketing.');
    expect(actionOf(answer, 'sparql')).toBe(KAREN_DEPT_QUERY);
    const requestId = res.headers.get('x-request-id');

    // The LLM gateway verified every call's token against the server's JWKS and saw alice.
    const calls = llmGateway.slice(callsBefore);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const call of calls) {
      expect(call.claims.sub).toBe('alice');
      expect(call.claims.aud).toBe(LLM_GATEWAY);
      expect(call.claims.scp).toEqual([LLM_SCOPE]);
      expect(call.claims.cid).toBe(SERVICE_CLIENT.id);
      expect(call.audit).toContain('user=alice');
    }
    // Two exchanges, each by its hop's client with a private-key JWT, each keeping alice.
    const ofAlice = as.exchanges.filter((e) => e.subject === 'alice');
    expect(ofAlice.map((e) => [e.clientId, e.audience, e.scope, e.authMethod])).toEqual([
      [GATEWAY_CLIENT.id, SERVICE_API, SERVICE_SCOPE, 'private_key_jwt'],
      [SERVICE_CLIENT.id, LLM_GATEWAY, LLM_SCOPE, 'private_key_jwt'],
    ]);
    // The Voicebox Service exchanged the token the gateway had obtained, not the user's own.
    expect(claimsOf(ofAlice[1].form.subject_token)).toMatchObject({
      sub: 'alice',
      aud: SERVICE_API,
      scp: [SERVICE_SCOPE],
    });

    // Each process's audit line names alice, under the same request id.
    const gwLine = await auditLineOf(gateway!, requestId);
    expect(gwLine).toMatchObject({
      subject: 'alice',
      client_id: 'chain-web',
      forwarded_to: 'voicebox_service',
      forwarded_status: 200,
      token_exchanges: [{ hop: 'voicebox_service', source: 'miss' }],
    });
    const beLine = await auditLineOf(backend!, requestId);
    expect(beLine).toMatchObject({
      subject: 'alice',
      client_id: 'chain-web',
      ask_outcome: 'answered',
      token_exchanges: [{ hop: 'llm_gateway', source: 'miss' }],
    });
    expect((beLine?.llm_calls as unknown[]).length).toBe(calls.length);

    // The stored audit trail (one database) has both hops' records of the call, naming alice.
    let records: AuditRecord[] = [];
    for (let i = 0; i < 50 && records.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const listed = await fetch(`${gatewayUrl}/api/v1/admin/audit?subject=alice`, {
        headers: ADMIN,
      });
      records = ((await listed.json()) as AuditRecord[]).filter((r) => r.request_id === requestId);
    }
    expect(records.map((r) => [r.outcome, r.subject, r.client_id]).sort()).toEqual([
      ['answered', 'alice', 'chain-web'],
      ['forwarded', 'alice', 'chain-web'],
    ]);

    // No token, key or assertion in either process's output.
    const output = [gateway!, backend!].map((p) => p.stdout() + p.stderr()).join('\n');
    for (const secret of [user, key, ofAlice[1].form.subject_token]) {
      expect(output).not.toContain(secret);
    }
    expect(output).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
  });

  it('streams an answer through the gateway as several lines over time', async () => {
    const MODEL_DELAY_MS = 1000;
    wire.reply(
      { ...sparqlReply(KAREN_DEPT_QUERY), delayMs: MODEL_DELAY_MS },
      answerReply('Ms. Brant works in the Marketing department of the company.'),
    );
    const started = Date.now();
    const s = await openNdjsonStream<AskBody>(
      `${gatewayUrl}/api/v1/voicebox/stream/ask`,
      headersFor(await signIn('bob')),
      { query: QUESTION },
    );
    expect(s.res.statusCode).toBe(200);
    expect(s.res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    await s.ended;
    const events = s.lines.map((l) => l.event);
    expect(events.length).toBeGreaterThan(4);
    expect(events.slice(0, -1).every((e) => e.pending)).toBe(true);
    expect(events.at(-1)).toMatchObject({
      pending: false,
      result: 'Ms. Brant works in the Marketing department of the company.',
    });
    // The first line left before the model answered; the last came after it.
    expect(s.lines[0].at - started).toBeLessThan(MODEL_DELAY_MS);
    expect(s.lines.at(-1)!.at - s.lines[0].at).toBeGreaterThanOrEqual(MODEL_DELAY_MS - 200);
    expect(llmGateway.at(-1)?.claims.sub).toBe('bob');
  });

  it("refuses at the gateway, with the server's reason, a user token the authorization server will not exchange", async () => {
    // Still valid within the gateway's leeway; already expired for the authorization server.
    const expired = await as.idp.forge({
      sub: 'mallory',
      aud: PUBLIC_API,
      exp: Math.floor(Date.now() / 1000) - 5,
    });
    const res = await post('ask', expired, { query: QUESTION });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(await res.json()).toMatchObject({
      code: 'token_exchange.refused',
      error: 'invalid_grant',
    });
    expect(auditLines(backend!).some((l) => l.subject === 'mallory')).toBe(false);
  });
});
