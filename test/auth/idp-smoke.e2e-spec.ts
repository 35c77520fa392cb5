import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoopbackIdp, TEST_CLIENT } from '../support/idp/loopback-idp.js';

describe('loopback IdP', () => {
  let idp: LoopbackIdp;
  beforeAll(async () => {
    idp = await LoopbackIdp.start();
  });
  afterAll(() => idp.close());

  it('issues RS256 JWT access tokens with an scp array, like Okta', async () => {
    const token = await idp.issueToken('voicebox:read voicebox:write');
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', kid: idp.keys[0].kid });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ iss: idp.issuer, aud: idp.audience });
    expect(claims.scp).toEqual(['voicebox:read', 'voicebox:write']);
    // A token that is usable now, and not one that never expires.
    const now = Math.floor(Date.now() / 1000);
    expect(claims.exp).toBeGreaterThan(now);
    expect(claims.exp).toBeLessThanOrEqual(now + 86_400);
    expect(claims.sub).toBe(TEST_CLIENT.id);
  });
});
