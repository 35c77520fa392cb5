import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_POLICY, type AuthPolicy } from '../../src/common/http/route-policy.decorators.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { startAuthApp, type AuthTestApp } from './support/auth-test-app.js';

interface RouteInfo {
  route: string;
  policy: AuthPolicy | undefined;
}

/** Every route the app registers, with the policy the global guard will read for it. */
function registeredRoutes(t: TestApp): RouteInfo[] {
  const reflector = t.app.get(Reflector);
  const routes: RouteInfo[] = [];
  for (const moduleRef of t.app.get(ModulesContainer).values()) {
    for (const wrapper of moduleRef.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!controller) continue;
      const prefix = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      const proto = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        if (Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        const path = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
        routes.push({
          route: `${controller.name}.${name} ${`/${prefix}/${path}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1')}`,
          policy: reflector.getAllAndOverride<AuthPolicy | undefined>(AUTH_POLICY, [
            handler,
            controller,
          ]),
        });
      }
    }
  }
  return routes;
}

describe('every route declares who may call it', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({});
  });
  afterAll(() => t?.close());

  it('finds the routes of the application', () => {
    const names = registeredRoutes(t).map((r) => r.route);
    expect(names).toEqual(
      expect.arrayContaining([expect.stringContaining('HealthController.health')]),
    );
  });

  it('has a policy (public, voicebox, admin or scopes) on each registered route', () => {
    const missing = registeredRoutes(t).filter((r) => r.policy === undefined);
    expect(missing.map((r) => r.route)).toEqual([]);
    for (const { route, policy } of registeredRoutes(t)) {
      if (policy?.kind === 'jwt') expect(policy.scopes.length, route).toBeGreaterThan(0);
    }
  });
});

describe('the global guard fails closed', () => {
  let t: AuthTestApp;
  beforeAll(async () => {
    t = await startAuthApp({ VOICEBOX_ADMIN_TOKEN: 'bootstrap-admin-token-0123456789' });
  });
  afterAll(() => t?.close());

  it('sees the fixture route without a policy', () => {
    const missing = registeredRoutes(t).filter((r) => r.policy === undefined);
    expect(missing.map((r) => r.route)).toEqual([
      'AuthFixtureController.noPolicy /auth-test/no-policy',
    ]);
  });

  it('refuses a route without a policy, whatever the credentials', async () => {
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer bootstrap-admin-token-0123456789' },
    ];
    for (const headers of attempts) {
      const res = await t.post('no-policy', headers);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'auth.no_policy' });
    }
    expect(t.calls).toEqual([]);
  });
});
