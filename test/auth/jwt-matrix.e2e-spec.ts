import { randomUUID } from 'node:crypto';
import { generateKeyPair, exportJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b64url, LoopbackIdp, type SigningKey } from '../support/idp/loopback-idp.js';
import {
  BARE_CHALLENGE,
  bearer,
  expectRefused,
  INVALID_TOKEN,
  jwtEnv,
  startAuthApp,
  type AuthTestApp,
} from './support/auth-test-app.js';

const now = () => Math.floor(Date.now() / 1000);

/** The tokens an API gateway must refuse (and the near misses it must accept), against a @Scopes('voicebox:read') route. */
describe('inbound JWT (JWT_*): the bad-token matrix', () => {
  let idp: LoopbackIdp;
  let t: AuthTestApp;
  let ps256: SigningKey;

  beforeAll(async () => {
    idp = await LoopbackIdp.start();
    // Several keys in the JWKS (for the no-kid case), one of an algorithm not allowed here.
    await idp.addKey();
    ps256 = await idp.addKey('PS256');
    t = await startAuthApp(jwtEnv(idp, { JWT_LEEWAY_SECONDS: '30' }));
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  const refuse = async (
    headers: Record<string, string>,
    status: 401 | 403 = 401,
    challenge: RegExp | string = INVALID_TOKEN,
  ) => {
    const before = t.calls.length;
    const res = await t.post('read', headers);
    expectRefused(t, res, status, challenge, before);
    return res;
  };

  it('accepts a real RS256 access token from the IdP and attaches the identity', async () => {
    const token = await idp.issueToken('voicebox:read');
    const res = await t.post('read', bearer(token));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      kind: 'jwt',
      subject: 'voicebox-tests',
      scopes: ['voicebox:read'],
    });
    expect(t.calls.at(-1)?.route).toBe('read');
  });

  it('refuses a missing Authorization header with the bare challenge (RFC 6750 §3.1)', async () => {
    const res = await refuse({}, 401, BARE_CHALLENGE);
    expect(res.json()).toMatchObject({ status: 401, code: 'auth.missing_token' });
  });

  it('refuses another scheme with the bare challenge', async () => {
    await refuse({ authorization: 'Basic dXNlcjpwYXNz' }, 401, BARE_CHALLENGE);
    await refuse({ authorization: 'Bearer' }, 401, BARE_CHALLENGE);
  });

  it('refuses malformed tokens', async () => {
    await refuse(bearer('not-a-jwt'));
    await refuse(bearer('eyJhbGciOiJSUzI1NiJ9.@@@.abc'));
    await refuse(bearer(`${b64url('{"alg":"RS256"')}.${b64url('{}')}.c2ln`));
  });

  it('refuses alg "none"', async () => {
    const header = b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    const payload = b64url(
      JSON.stringify({ iss: idp.issuer, aud: idp.audience, sub: 'u', exp: now() + 300 }),
    );
    await refuse(bearer(`${header}.${payload}.`));
    await refuse(bearer(`${header}.${payload}.c2ln`));
  });

  it('refuses HS256 signed with the RSA public key', async () => {
    await refuse(bearer(await idp.forgeHs256WithPublicKey()));
  });

  it('refuses an algorithm outside JWT_ALLOWED_ALGORITHMS, even with a published key', async () => {
    const res = await refuse(bearer(await idp.forge({}, { key: ps256 })));
    expect(res.headers['www-authenticate']).toContain('algorithm is not allowed');
  });

  it('refuses a token signed by an unknown key (unknown kid)', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const stranger: SigningKey = {
      kid: randomUUID(),
      alg: 'RS256',
      privateKey,
      publicJwk: await exportJWK(publicKey),
    };
    await refuse(bearer(await idp.forge({}, { key: stranger })));
    // The same stranger key under a kid the IdP does publish: the signature check fails.
    await refuse(bearer(await idp.forge({}, { key: { ...stranger, kid: idp.keys[0].kid } })));
  });

  it('refuses a token without kid when the JWKS holds several keys', async () => {
    const token = await idp.forge({}, { header: { kid: undefined } });
    const res = await refuse(bearer(token));
    expect(res.headers['www-authenticate']).toContain('no kid');
  });

  it('refuses a tampered payload and a tampered signature', async () => {
    const [h, p, s] = (await idp.forge()).split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const forgedPayload = b64url(
      JSON.stringify({ ...claims, sub: 'admin', scp: ['voicebox:read'] }),
    );
    await refuse(bearer(`${h}.${forgedPayload}.${s}`));
    const flipped = (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    await refuse(bearer(`${h}.${p}.${flipped}`));
  });

  it('refuses a token expired beyond the leeway and accepts one within it', async () => {
    const res = await refuse(bearer(await idp.forge({ exp: now() - 120, iat: now() - 600 })));
    expect(res.json()).toMatchObject({ code: 'auth.expired' });
    const within = await t.post('read', bearer(await idp.forge({ exp: now() - 10 })));
    expect(within.statusCode, within.body).toBe(200);
  });

  it('refuses a token whose nbf is in the future (beyond the leeway)', async () => {
    await refuse(bearer(await idp.forge({ nbf: now() + 120 })));
  });

  it('refuses a token without exp and one without subject', async () => {
    const noExp = await refuse(bearer(await idp.forge({ exp: undefined })));
    expect(noExp.headers['www-authenticate']).toContain("'exp'");
    const noSub = await refuse(bearer(await idp.forge({ sub: undefined })));
    expect(noSub.headers['www-authenticate']).toContain("'sub'");
    await refuse(bearer(await idp.forge({ sub: '' })));
  });

  it('refuses a wrong issuer and a wrong audience; accepts an aud array holding ours', async () => {
    await refuse(bearer(await idp.forge({ iss: 'http://127.0.0.1:1/evil' })));
    await refuse(bearer(await idp.forge({ aud: 'https://other.example/api' })));
    await refuse(bearer(await idp.forge({ aud: ['https://other.example/api'] })));
    const ok = await t.post(
      'read',
      bearer(await idp.forge({ aud: ['https://other.example/api', idp.audience] })),
    );
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('answers 403 insufficient_scope naming the missing scope (scp array)', async () => {
    const token = await idp.forge({ scp: ['voicebox:other'] });
    const res = await refuse(
      bearer(token),
      403,
      'Bearer realm="voicebox", error="insufficient_scope", error_description="missing required scope", scope="voicebox:read"',
    );
    expect(res.json()).toMatchObject({ code: 'auth.insufficient_scope' });
    const write = await t.post('write', bearer(await idp.forge({ scp: ['voicebox:read'] })));
    expect(write.statusCode).toBe(403);
    expect(write.headers['www-authenticate']).toContain('scope="voicebox:write"');
  });

  it('reads scopes only from JWT_SCOPE_CLAIM_NAME (scp): a scope string elsewhere grants nothing', async () => {
    await refuse(
      bearer(await idp.forge({ scp: undefined, scope: 'voicebox:read' })),
      403,
      /insufficient_scope/,
    );
  });

  it('never writes a token into the logs', async () => {
    const token = await idp.forge({ aud: 'https://other.example/api' });
    await t.post('read', bearer(token));
    const [, , signature] = token.split('.');
    expect(t.logs.text).not.toContain(signature);
  });
});

describe('inbound JWT: scope as a space-separated string (JWT_SCOPE_CLAIM_NAME=scope)', () => {
  let idp: LoopbackIdp;
  let t: AuthTestApp;
  beforeAll(async () => {
    idp = await LoopbackIdp.start();
    t = await startAuthApp(
      jwtEnv(idp, { JWT_SCOPE_CLAIM_NAME: 'scope', JWT_REQUIRED_SCOPE: 'voicebox:use' }),
    );
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  it('accepts a space-separated scope string holding the route scope and JWT_REQUIRED_SCOPE', async () => {
    const token = await idp.forge({ scp: undefined, scope: 'voicebox:use voicebox:read' });
    const res = await t.post('read', bearer(token));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ scopes: ['voicebox:use', 'voicebox:read'] });
  });

  it('refuses a token lacking JWT_REQUIRED_SCOPE with 403 naming it', async () => {
    const before = t.calls.length;
    const res = await t.post('read', bearer(await idp.forge({ scope: 'voicebox:read' })));
    expectRefused(t, res, 403, /scope="voicebox:use"/, before);
  });
});
