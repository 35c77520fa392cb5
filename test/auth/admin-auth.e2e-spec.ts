import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { LoopbackIdp } from '../support/idp/loopback-idp.js';
import {
  BARE_CHALLENGE,
  bearer,
  expectRefused,
  INVALID_TOKEN,
  jwtEnv,
  startAuthApp,
  type AuthTestApp,
} from './support/auth-test-app.js';

const ADMIN_TOKEN = 'bootstrap-admin-token-0123456789';

describe('admin routes: nothing configured', () => {
  let t: AuthTestApp;
  beforeAll(async () => {
    t = await startAuthApp({});
  });
  afterAll(() => t?.close());

  it('answers 401 saying the admin API is disabled and how to enable it', async () => {
    const before = t.calls.length;
    const res = await t.post('admin', bearer('anything-at-all'));
    expectRefused(t, res, 401, BARE_CHALLENGE, before);
    expect(res.json()).toMatchObject({
      code: 'auth.admin_disabled',
      message: 'admin API disabled: set VOICEBOX_ADMIN_TOKEN or JWT_*',
    });
  });
});

describe('admin routes: static VOICEBOX_ADMIN_TOKEN only', () => {
  let t: AuthTestApp;
  beforeAll(async () => {
    t = await startAuthApp({ VOICEBOX_ADMIN_TOKEN: ADMIN_TOKEN });
  });
  afterAll(() => t?.close());

  it('accepts the bootstrap token', async () => {
    const res = await t.post('admin', bearer(ADMIN_TOKEN));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ route: 'admin', kind: 'admin-token' });
  });

  it('refuses a wrong token, a prefix of it, and no token; never logs the token', async () => {
    const before = t.calls.length;
    for (const wrong of [
      ADMIN_TOKEN.slice(0, -1),
      `${ADMIN_TOKEN}x`,
      'x'.repeat(ADMIN_TOKEN.length),
    ]) {
      expectRefused(t, await t.post('admin', bearer(wrong)), 401, INVALID_TOKEN, before);
    }
    expectRefused(t, await t.post('admin', {}), 401, BARE_CHALLENGE, before);
    expect(t.logs.text).not.toContain(ADMIN_TOKEN.slice(0, 20));
  });

  it('does not let the admin token into voicebox or @Scopes routes', async () => {
    const before = t.calls.length;
    const res = await t.post('voicebox', { ...bearer(ADMIN_TOKEN), 'x-client-id': 'a' });
    expectRefused(t, res, 401, INVALID_TOKEN, before);
    expectRefused(t, await t.post('read', bearer(ADMIN_TOKEN)), 401, BARE_CHALLENGE, before);
  });

  it('refuses a short VOICEBOX_ADMIN_TOKEN at start-up, naming the variable but not the value', () => {
    expect(() => loadConfig({ VOICEBOX_ADMIN_TOKEN: 'short-secret' })).toThrow(
      /VOICEBOX_ADMIN_TOKEN: must be at least 16 characters/,
    );
    try {
      loadConfig({ VOICEBOX_ADMIN_TOKEN: 'short-secret' });
    } catch (err) {
      expect((err as Error).message).not.toContain('short-secret');
    }
  });
});

describe('admin routes: JWT with VOICEBOX_ADMIN_SCOPE, or the token', () => {
  let idp: LoopbackIdp;
  let t: AuthTestApp;
  let custom: AuthTestApp;
  beforeAll(async () => {
    idp = await LoopbackIdp.start();
    t = await startAuthApp(jwtEnv(idp, { VOICEBOX_ADMIN_TOKEN: ADMIN_TOKEN }));
    custom = await startAuthApp(jwtEnv(idp, { VOICEBOX_ADMIN_SCOPE: 'ops:admin' }));
  });
  afterAll(async () => {
    await t?.close();
    await custom?.close();
    await idp?.close();
  });

  it('accepts an IdP token carrying voicebox:admin (the default scope)', async () => {
    const res = await t.post('admin', bearer(await idp.issueToken('voicebox:admin')));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ kind: 'jwt', subject: 'voicebox-tests' });
  });

  it('refuses a valid token without the admin scope with 403 insufficient_scope', async () => {
    const before = t.calls.length;
    const res = await t.post('admin', bearer(await idp.issueToken('voicebox:read')));
    expectRefused(t, res, 403, /error="insufficient_scope".*scope="voicebox:admin"/, before);
  });

  it('still accepts the bootstrap token, and refuses an invalid JWT with 401', async () => {
    expect((await t.post('admin', bearer(ADMIN_TOKEN))).statusCode).toBe(200);
    const before = t.calls.length;
    const expired = await idp.forge({ scp: ['voicebox:admin'], exp: 1000, iat: 900 });
    expectRefused(t, await t.post('admin', bearer(expired)), 401, INVALID_TOKEN, before);
  });

  it('uses VOICEBOX_ADMIN_SCOPE when set', async () => {
    const before = custom.calls.length;
    const res = await custom.post('admin', bearer(await idp.forge({ scp: ['voicebox:admin'] })));
    expectRefused(custom, res, 403, /scope="ops:admin"/, before);
    const ok = await custom.post('admin', bearer(await idp.forge({ scp: ['ops:admin'] })));
    expect(ok.statusCode, ok.body).toBe(200);
  });
});
