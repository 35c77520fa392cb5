import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoopbackIdp } from '../support/idp/loopback-idp.js';

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
    expect(typeof claims.exp).toBe('number');
    expect(typeof claims.sub).toBe('string');
  });
});
