import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import type { LoopbackIdp } from '../../support/idp/loopback-idp.js';
import { AuthFixtureModule, CallLog } from './auth-fixture.module.js';
import { inMemoryAppKeys, seededAppKeys, type InMemoryAppKeys } from './in-memory-app-keys.js';

export interface AuthTestApp extends TestApp {
  calls: CallLog['calls'];
  appKeys: InMemoryAppKeys;
  post(path: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

/** The real app with the auth fixture routes and the in-memory app-key port. */
export async function startAuthApp(env: Record<string, string>): Promise<AuthTestApp> {
  const appKeys = seededAppKeys();
  const t = await startTestApp(env, [AuthFixtureModule], {
    overrides: [inMemoryAppKeys(appKeys)],
  });
  return {
    ...t,
    appKeys,
    calls: t.app.get(CallLog).calls,
    post: (path, headers = {}) =>
      t.app.inject({ method: 'POST', url: `/auth-test/${path}`, headers }),
  };
}

/** JWT_* settings pointing at a loopback IdP. */
export function jwtEnv(
  idp: LoopbackIdp,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    JWT_ISSUER: idp.issuer,
    JWT_JWKS_URI: idp.jwksUri,
    JWT_AUDIENCE: idp.audience,
    ...extra,
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A refusal: status, the RFC 6750 challenge, and no call reached the route. */
export function expectRefused(
  t: AuthTestApp,
  res: LightMyRequestResponse,
  status: 401 | 403,
  challenge: RegExp | string,
  callsBefore: number,
): void {
  expect(res.statusCode, res.body).toBe(status);
  const header = res.headers['www-authenticate'];
  if (typeof challenge === 'string') expect(header).toBe(challenge);
  else expect(header).toMatch(challenge);
  expect(t.calls.length).toBe(callsBefore);
}

export const INVALID_TOKEN =
  /^Bearer realm="voicebox", error="invalid_token", error_description="[^"]+"$/;
export const BARE_CHALLENGE = 'Bearer realm="voicebox"';
