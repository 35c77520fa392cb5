import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/common/errors/domain-error.js';
import { ConfigError } from '../../src/config/load-config.js';
import {
  TokenExchangeServer,
  claimsOf,
  clientKeyPair,
} from '../support/idp/token-exchange-server.js';
import {
  LLM_GATEWAY,
  PUBLIC_API,
  RESOURCE_SERVERS,
  SERVICE_CLIENT,
  exchangeKit,
  llmHopEnv,
} from './exchange-kit.js';

const KEYED_CLIENT = 'voicebox-service-keyed';

describe('token exchange toward the LLM gateway (okta dialect)', () => {
  let as: TokenExchangeServer;
  let keyFile: string;
  let kid: string;
  beforeAll(async () => {
    kid = 'voicebox-key-1';
    const key = await clientKeyPair(kid);
    keyFile = join(mkdtempSync(join(tmpdir(), 'vbx-tx-')), 'client.pem');
    writeFileSync(keyFile, key.pem);
    as = await TokenExchangeServer.start({
      dialect: 'okta',
      resourceServers: RESOURCE_SERVERS,
      clients: [
        { ...SERVICE_CLIENT, allowed: { [LLM_GATEWAY]: ['llm.invoke'] } },
        { id: KEYED_CLIENT, publicJwk: key.publicJwk },
      ],
    });
  });
  afterAll(() => as?.close());

  const userToken = (user: string) => as.issueUserToken(user, PUBLIC_API, 'voicebox:read');

  it("exchanges the user's token for one with the gateway audience, only the configured scope, and the user as subject", async () => {
    const kit = await exchangeKit(llmHopEnv(as));
    const subject = await userToken('alice');
    const token = await kit.service.exchange('llm_gateway', subject);
    const claims = claimsOf(token);
    expect(claims).toMatchObject({ sub: 'alice', aud: LLM_GATEWAY, scp: ['llm.invoke'] });
    expect(claims.cid).toBe(SERVICE_CLIENT.id);
    const sent = as.exchanges.at(-1)!;
    expect(sent.form).toMatchObject({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      audience: LLM_GATEWAY,
      scope: 'llm.invoke',
    });
    expect(sent.form.actor_token).toBeUndefined();
    expect(sent.authMethod).toBe('client_secret');
    expect(kit.logs.text).not.toContain(subject);
    expect(kit.logs.text).not.toContain(token);
  });

  it('authenticates with a private-key JWT whose aud is the token endpoint, a fresh jti and the kid; the key wins over a secret', async () => {
    const assertions: string[] = [];
    const kit = await exchangeKit(
      llmHopEnv(as, {
        OKTA_CLIENT_ID: KEYED_CLIENT,
        OKTA_CLIENT_SECRET: 'a-wrong-secret-that-must-not-be-used',
        OKTA_PRIVATE_KEY_PATH: keyFile,
        OKTA_PRIVATE_KEY_ID: kid,
      }),
    );
    for (const user of ['bob', 'carol']) {
      const token = await kit.service.exchange('llm_gateway', await userToken(user));
      expect(claimsOf(token)).toMatchObject({ sub: user, aud: LLM_GATEWAY });
      const sent = as.exchanges.at(-1)!;
      expect(sent.authMethod).toBe('private_key_jwt');
      assertions.push(sent.form.client_assertion);
    }
    const [a, b] = assertions.map((x) => ({
      header: decodeProtectedHeader(x),
      claims: decodeJwt(x),
    }));
    expect(a.header).toMatchObject({ alg: 'RS256', kid });
    expect(a.claims).toMatchObject({ iss: KEYED_CLIENT, sub: KEYED_CLIENT, aud: as.tokenEndpoint });
    expect(a.claims.exp! - a.claims.iat!).toBeLessThanOrEqual(300);
    expect(a.claims.jti).not.toBe(b.claims.jti);
  });

  it('is refused like Okta refuses it when the private-key JWT names the issuer as its audience', async () => {
    // The loopback server applies Okta's rule; prove it by sending what openid-client would send.
    const { SignJWT, importPKCS8 } = await import('jose');
    const { readFileSync } = await import('node:fs');
    const key = await importPKCS8(readFileSync(keyFile, 'utf8'), 'RS256');
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(KEYED_CLIENT)
      .setSubject(KEYED_CLIENT)
      .setAudience(as.issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .setJti(`jti-${now}`)
      .sign(key);
    const res = await fetch(as.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        subject_token: await userToken('dave'),
        audience: LLM_GATEWAY,
        client_id: KEYED_CLIENT,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('stops start-up naming the variable when the private key file is missing or not a key', async () => {
    const missing = await exchangeKit(
      llmHopEnv(as, { OKTA_PRIVATE_KEY_PATH: '/nonexistent/key.pem' }),
    ).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ConfigError);
    expect((missing as ConfigError).message).toMatch(
      /^OKTA_PRIVATE_KEY_PATH: cannot read \/nonexistent\/key\.pem \(ENOENT\)/,
    );
    const notKey = join(mkdtempSync(join(tmpdir(), 'vbx-tx-')), 'x.pem');
    writeFileSync(notKey, 'not a key');
    const bad = await exchangeKit(llmHopEnv(as, { OKTA_PRIVATE_KEY_PATH: notKey })).catch(
      (e: unknown) => e,
    );
    expect((bad as ConfigError).message).toMatch(
      /OKTA_PRIVATE_KEY_PATH: .* is not a PEM private key/,
    );
  });

  it('reads the token endpoint from the discovery document once', async () => {
    const kit = await exchangeKit(llmHopEnv(as));
    let discoveries = 0;
    const original = globalThis.fetch;
    globalThis.fetch = (input, init) => {
      const url = input instanceof Request ? input.url : input.toString();
      if (url.endsWith('/openid-configuration')) discoveries++;
      return original(input, init);
    };
    try {
      for (const user of ['erin', 'frank', 'grace']) {
        await kit.service.exchange('llm_gateway', await userToken(user));
      }
    } finally {
      globalThis.fetch = original;
    }
    expect(discoveries).toBe(1);
  });

  it('shares one exchange among concurrent requests of a user, and caches it: 200 requests of 5 users, 5 exchanges', async () => {
    const kit = await exchangeKit(llmHopEnv(as));
    const users = ['u1', 'u2', 'u3', 'u4', 'u5'];
    const tokens = await Promise.all(users.map(userToken));
    const before = as.exchangesFor(LLM_GATEWAY).length;
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => kit.service.exchange('llm_gateway', tokens[i % 5])),
    );
    expect(as.exchangesFor(LLM_GATEWAY).length - before).toBe(5);
    for (let i = 0; i < 200; i++) expect(claimsOf(results[i]).sub).toBe(users[i % 5]);
    // Later requests come from the cache.
    await kit.service.exchange('llm_gateway', tokens[0]);
    expect(as.exchangesFor(LLM_GATEWAY).length - before).toBe(5);
    const metrics = await kit.metrics.registry.metrics();
    expect(metrics).toContain('voicebox_token_exchanges_total{hop="llm_gateway",outcome="ok"} 5');
    expect(metrics).toMatch(
      /voicebox_token_exchange_cache_total\{hop="llm_gateway",result="miss"\} 5/,
    );
    expect(metrics).toMatch(
      /voicebox_token_exchange_cache_total\{hop="llm_gateway",result="hit"\} 1/,
    );
    expect(metrics).toMatch(
      /voicebox_token_exchange_duration_seconds_count\{hop="llm_gateway",outcome="ok"\} 5/,
    );
  });

  it('never lets a cached token outlive the subject token', async () => {
    const kit = await exchangeKit(llmHopEnv(as));
    const shortLived = await as.idp.forge({
      sub: 'henry',
      aud: PUBLIC_API,
      exp: Math.floor(Date.now() / 1000) + 2,
    });
    await kit.service.exchange('llm_gateway', shortLived);
    const before = as.exchanges.length;
    await kit.service.exchange('llm_gateway', shortLived);
    expect(as.exchanges.length).toBe(before);
    await new Promise((r) => setTimeout(r, 2100));
    // The entry ended with the subject token: the next request goes to the server (which refuses it).
    const err = await kit.service.exchange('llm_gateway', shortLived).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'token_exchange.refused', kind: 'unauthenticated' });
  });

  it('is a DomainError for a hop that is not configured', async () => {
    const kit = await exchangeKit(llmHopEnv(as));
    expect(kit.service.has('voicebox_service')).toBe(false);
    await expect(kit.service.exchange('voicebox_service', 'x')).rejects.toBeInstanceOf(DomainError);
  });
});
