import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoopbackIdp } from '../support/idp/loopback-idp.js';
import { waitUntilReady } from '../support/test-app.js';
import {
  BARE_CHALLENGE,
  bearer,
  expectRefused,
  INVALID_TOKEN,
  jwtEnv,
  startAuthApp,
  type AuthTestApp,
} from './support/auth-test-app.js';
import { EXPIRED_KEY, REVOKED_KEY, VALID_KEY } from './support/in-memory-app-keys.js';

const client = { 'x-client-id': 'alice@example.com' };

describe('voicebox routes with app keys (Authorization: Bearer sdc_…)', () => {
  let t: AuthTestApp;
  beforeAll(async () => {
    t = await startAuthApp({});
  });
  afterAll(() => t?.close());

  it('accepts a valid app key with X-Client-Id and passes X-SD-Auth-Token through', async () => {
    const sd = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzdGFyZG9nIn0.c2lnbmF0dXJlLXNk';
    const res = await t.post('voicebox', {
      ...bearer(VALID_KEY),
      ...client,
      'x-sd-auth-token': sd,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      kind: 'app-key',
      app: 'got',
      keyId: 'key-1',
      clientId: 'alice@example.com',
      subject: null,
      hasSdAuthToken: true,
    });
    const identity = t.calls.at(-1)?.identity;
    expect(identity?.kind === 'app-key' && identity.sdAuthToken).toBe(sd);
    expect(t.logs.text).not.toContain(sd);
    expect(t.logs.text).not.toContain(VALID_KEY);
  });

  it('refuses a missing credential with the bare challenge', async () => {
    const before = t.calls.length;
    expectRefused(t, await t.post('voicebox', client), 401, BARE_CHALLENGE, before);
  });

  it.each([
    ['an unknown key', 'sdc_unknown_0123456789abcdef'],
    ['an expired key', EXPIRED_KEY],
    ['a revoked key', REVOKED_KEY],
    ['a JWT where an app key is expected', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln'],
  ])('refuses %s with 401 invalid_token', async (_name, key) => {
    const before = t.calls.length;
    const res = await t.post('voicebox', { ...bearer(key), ...client });
    expectRefused(t, res, 401, INVALID_TOKEN, before);
    expect(t.logs.text).not.toContain(key);
  });

  it.each([
    ['missing', undefined, 'header is required'],
    ['255 characters long', 'x'.repeat(255), 'printable'],
    ['holding a control character', 'alice\u0001', 'printable'],
    ['holding non-ASCII bytes', 'al\u00efce', 'printable'],
  ])('answers 400 naming X-Client-Id when it is %s', async (_name, value, reason) => {
    const before = t.calls.length;
    const headers: Record<string, string> = { ...bearer(VALID_KEY) };
    if (value !== undefined) headers['x-client-id'] = value;
    const res = await t.post('voicebox', headers);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'request.invalid',
      errors: [{ field: 'X-Client-Id', reason: expect.stringContaining(reason) as string }],
    });
    expect(t.calls.length).toBe(before);
  });

  it('accepts an X-Client-Id of 254 printable characters', async () => {
    const res = await t.post('voicebox', {
      ...bearer(VALID_KEY),
      'x-client-id': 'a b~'.repeat(63) + 'zz',
    });
    expect(res.statusCode, res.body).toBe(200);
  });

  it('refuses an app key on a @Scopes route, and JWT routes say JWT is not configured', async () => {
    const before = t.calls.length;
    const res = await t.post('read', bearer(VALID_KEY));
    expectRefused(t, res, 401, BARE_CHALLENGE, before);
    expect(res.json<{ message: string }>().message).toMatch(/JWT_JWKS_URI and JWT_ISSUER/);
  });
});

describe('voicebox routes in public-API JWT mode (API_AUTH_JWT_ENABLED=true)', () => {
  let idp: LoopbackIdp;
  let t: AuthTestApp;
  beforeAll(async () => {
    idp = await LoopbackIdp.start();
    t = await startAuthApp({
      API_AUTH_JWT_ENABLED: 'true',
      API_AUTH_ISSUER: idp.issuer,
      API_AUTH_JWKS_URI: idp.jwksUri,
      API_AUTH_AUDIENCE: idp.audience,
      API_AUTH_REQUIRED_SCOPES: 'voicebox:read',
    });
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  const appKey = { 'x-voicebox-app-key': VALID_KEY };

  it("accepts the user's IdP token (scp array) with the app key in X-Voicebox-App-Key", async () => {
    const token = await idp.issueToken('voicebox:read');
    const res = await t.post('voicebox', { ...bearer(token), ...appKey, ...client });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      kind: 'app-key',
      app: 'got',
      subject: 'voicebox-tests',
      scopes: ['voicebox:read'],
      hasUserToken: true,
    });
  });

  it('accepts a space-separated scope claim (API_AUTH_SCOPE_CLAIM_NAME default: scp, then scope)', async () => {
    const token = await idp.forge({ scp: undefined, scope: 'openid voicebox:read' });
    const res = await t.post('voicebox', { ...bearer(token), ...appKey, ...client });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ subject: 'user-1', scopes: ['openid', 'voicebox:read'] });
  });

  it('refuses a token without API_AUTH_REQUIRED_SCOPES (in scp and in scope) with 403', async () => {
    const before = t.calls.length;
    for (const claims of [{ scp: ['openid'] }, { scp: undefined, scope: 'openid' }]) {
      const token = await idp.forge(claims);
      // Twice: the second time its signature check is cached, and the scopes must still be judged.
      for (let i = 0; i < 2; i++) {
        const res = await t.post('voicebox', { ...bearer(token), ...appKey, ...client });
        expectRefused(t, res, 403, /error="insufficient_scope".*scope="voicebox:read"/, before);
      }
    }
  });

  it('refuses the app key in Authorization, a missing app-key header, a bad app key', async () => {
    const before = t.calls.length;
    expectRefused(
      t,
      await t.post('voicebox', { ...bearer(VALID_KEY), ...client }),
      401,
      INVALID_TOKEN,
      before,
    );
    const token = await idp.forge();
    const noKey = await t.post('voicebox', { ...bearer(token), ...client });
    expectRefused(t, noKey, 401, BARE_CHALLENGE, before);
    expect(noKey.json<{ message: string }>().message).toContain('X-Voicebox-App-Key');
    const revoked = await t.post('voicebox', {
      ...bearer(token),
      'x-voicebox-app-key': REVOKED_KEY,
      ...client,
    });
    expectRefused(t, revoked, 401, INVALID_TOKEN, before);
  });

  it('refuses a user token from another issuer', async () => {
    const other = await LoopbackIdp.start({ audience: idp.audience });
    try {
      const before = t.calls.length;
      const res = await t.post('voicebox', {
        ...bearer(await other.forge()),
        ...appKey,
        ...client,
      });
      expectRefused(t, res, 401, INVALID_TOKEN, before);
    } finally {
      await other.close();
    }
  });
});

describe('REQUIRE_JWT_AUTH=true', () => {
  let idp: LoopbackIdp;
  let t: AuthTestApp;
  beforeAll(async () => {
    idp = await LoopbackIdp.start();
    t = await startAuthApp(jwtEnv(idp, { REQUIRE_JWT_AUTH: 'true' }));
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  it('keeps the probes and the API docs public', async () => {
    for (const url of ['/system/health', '/api/v1/docs/openapi.json']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBeLessThan(300);
    }
    // The embedded store may need more than one probe's timeout to open on a loaded machine.
    expect((await waitUntilReady(t)).status).toBe('ready');
    expect((await t.app.inject({ method: 'GET', url: '/auth-test/public' })).statusCode).toBe(200);
  });

  it('requires the JWT on voicebox routes, the app key then in X-Voicebox-App-Key', async () => {
    const before = t.calls.length;
    expectRefused(
      t,
      await t.post('voicebox', { ...bearer(VALID_KEY), ...client }),
      401,
      INVALID_TOKEN,
      before,
    );
    const res = await t.post('voicebox', {
      ...bearer(await idp.issueToken('voicebox:read')),
      'x-voicebox-app-key': VALID_KEY,
      ...client,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ subject: 'voicebox-tests', app: 'got' });
  });
});
