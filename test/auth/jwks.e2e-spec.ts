import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LoopbackIdp } from '../support/idp/loopback-idp.js';
import {
  bearer,
  expectRefused,
  INVALID_TOKEN,
  jwtEnv,
  startAuthApp,
  type AuthTestApp,
} from './support/auth-test-app.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The JWKS as a dependency: outages, rotation, floods of random kids, the cache TTL. */
describe('JWKS handling', () => {
  let idp: LoopbackIdp;
  let t: AuthTestApp;
  const apps: AuthTestApp[] = [];

  const start = async (extra: Record<string, string> = {}) => {
    const app = await startAuthApp(jwtEnv(idp, { JWKS_REFETCH_COOLDOWN_SECONDS: '1', ...extra }));
    apps.push(app);
    return app;
  };

  beforeEach(async () => {
    idp = await LoopbackIdp.start();
    t = await start();
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    await idp.close();
  });

  it('answers 503 with Retry-After, not 401, when the JWKS is down and the key is unknown', async () => {
    idp.jwksMode = 'down';
    const before = t.calls.length;
    const res = await t.post('read', bearer(await idp.forge()));
    expect(res.statusCode).toBe(503);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(res.json()).toMatchObject({ code: 'auth.jwks_unavailable' });
    expect(t.calls.length).toBe(before);

    idp.jwksMode = 'error';
    await sleep(1100);
    expect((await t.post('read', bearer(await idp.forge()))).statusCode).toBe(503);
  });

  it('keeps serving tokens signed by known keys during an outage, and recovers after it', async () => {
    expect((await t.post('read', bearer(await idp.forge()))).statusCode).toBe(200);
    idp.jwksMode = 'down';
    const rotated = await idp.addKey();
    await sleep(1100);
    // A new token under the known key: still verified (fresh token, so no verified-token cache hit).
    expect((await t.post('read', bearer(await idp.forge()))).statusCode).toBe(200);
    // A token under a key the service could not fetch: the IdP's fault, 503.
    expect((await t.post('read', bearer(await idp.forge({}, { key: rotated })))).statusCode).toBe(
      503,
    );
    idp.jwksMode = 'up';
    await sleep(1100);
    const res = await t.post('read', bearer(await idp.forge({}, { key: rotated })));
    expect(res.statusCode, res.body).toBe(200);
  });

  it('accepts a rotated signing key without restart', async () => {
    expect((await t.post('read', bearer(await idp.issueToken('voicebox:read')))).statusCode).toBe(
      200,
    );
    const fetchesBefore = idp.jwksFetches;
    const next = await idp.addKey();
    await sleep(1100);
    const res = await t.post(
      'read',
      bearer(await idp.forge({ sub: 'after-rotation' }, { key: next })),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ subject: 'after-rotation' });
    expect(idp.jwksFetches).toBe(fetchesBefore + 1);
    // The old key, still published, keeps working.
    expect((await t.post('read', bearer(await idp.forge()))).statusCode).toBe(200);
  });

  it('does not multiply JWKS fetches under a flood of random kids, and good tokens still pass', async () => {
    const app = await start({ JWKS_REFETCH_COOLDOWN_SECONDS: '60' });
    expect((await app.post('read', bearer(await idp.forge()))).statusCode).toBe(200);
    const fetchesBefore = idp.jwksFetches;
    const tokens = await Promise.all(
      Array.from({ length: 200 }, () => idp.forge({}, { header: { kid: randomUUID() } })),
    );
    const before = app.calls.length;
    const results = await Promise.all(tokens.map((tok) => app.post('read', bearer(tok))));
    for (const res of results) expectRefused(app, res, 401, INVALID_TOKEN, before);
    expect(idp.jwksFetches - fetchesBefore).toBeLessThanOrEqual(1);
    expect((await app.post('read', bearer(await idp.forge()))).statusCode).toBe(200);
    const metrics = await app.scrapeMetrics();
    expect(metrics.body).toMatch(/voicebox_auth_jwks_fetches_total\{outcome="ok"\} [12]\b/);
  });

  it('accepts a token without kid when the JWKS holds a single key', async () => {
    const res = await t.post('read', bearer(await idp.forge({}, { header: { kid: undefined } })));
    expect(res.statusCode, res.body).toBe(200);
  });

  it('verifies ES256 when JWT_ALLOWED_ALGORITHMS allows it, choosing the key by curve', async () => {
    const es = await idp.addKey('ES256');
    const app = await start({ JWT_ALLOWED_ALGORITHMS: 'RS256,ES256' });
    expect((await app.post('read', bearer(await idp.forge({}, { key: es })))).statusCode).toBe(200);
    // The default list (RS256 only) refuses the same token.
    const before = t.calls.length;
    const res = await t.post('read', bearer(await idp.forge({}, { key: es })));
    expectRefused(t, res, 401, INVALID_TOKEN, before);
  });

  it('refetches the JWKS once JWKS_CACHE_TTL has passed', async () => {
    const app = await start({ JWKS_CACHE_TTL: '1', JWKS_REFETCH_COOLDOWN_SECONDS: '0' });
    expect((await app.post('read', bearer(await idp.forge()))).statusCode).toBe(200);
    const fetches = idp.jwksFetches;
    expect((await app.post('read', bearer(await idp.forge()))).statusCode).toBe(200);
    expect(idp.jwksFetches).toBe(fetches);
    await sleep(1100);
    // The stale keys answer at once; the refresh runs beside the request.
    expect((await app.post('read', bearer(await idp.forge()))).statusCode).toBe(200);
    await expect.poll(() => idp.jwksFetches).toBe(fetches + 1);
  });
});
