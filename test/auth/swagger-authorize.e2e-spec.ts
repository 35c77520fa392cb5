import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECURITY } from '../../src/common/http/security-schemes.js';
import { launchChromium } from '../support/chromium.js';
import { LoopbackIdp } from '../support/idp/loopback-idp.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const ADMIN_TOKEN = 'swagger-authorize-admin-token-0123456789';
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** Swagger UI in Chromium on a busy 2-core machine: rendering alone can take tens of seconds. */
const UI_TIMEOUT = 180_000;

interface Listening {
  t: TestApp;
  base: string;
  appName: string;
  key: string;
}

/** The real service, listening, with one app and a fresh key of it (made through the admin API). */
async function listening(env: Record<string, string>): Promise<Listening> {
  const t = await startTestApp({
    VOICEBOX_ADMIN_TOKEN: ADMIN_TOKEN,
    VOICEBOX_EMBEDDED_DEMO: 'false',
    ...env,
  });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  const appName = `swagger-${randomUUID().slice(0, 8)}`;
  const app = await t.app.inject({
    method: 'POST',
    url: '/api/v1/admin/apps',
    headers: ADMIN,
    payload: { name: appName, database: 'ck25' },
  });
  if (app.statusCode !== 201) throw new Error(`cannot create the app: ${app.body}`);
  const issued = await t.app.inject({
    method: 'POST',
    url: `/api/v1/admin/apps/${app.json<{ id: string }>().id}/keys`,
    headers: ADMIN,
    payload: { name: 'swagger-ui' },
  });
  return { t, base, appName, key: issued.json<{ key: string }>().key };
}

/** Opens Swagger UI in a fresh browser context (persisted authorizations do not leak between tests). */
async function openDocs(browser: Browser, base: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/api/v1/docs`, { waitUntil: 'load' });
  await page.waitForSelector('.opblock', { timeout: 60_000 });
  return page;
}

/** Types each value into its scheme's field of the Authorize dialog, as a user does. */
async function authorizeInDialog(page: Page, values: Record<string, string>): Promise<string[]> {
  await page.locator('.scheme-container button.authorize').click();
  const modal = page.locator('.modal-ux');
  await modal.waitFor();
  const listed = (await modal.locator('.auth-container h4 code').allInnerTexts()).map((s) =>
    s.trim(),
  );
  // Swagger UI 5 gives each scheme its own form, with its own Authorize button.
  for (const [scheme, value] of Object.entries(values)) {
    const form = modal.locator('form', {
      has: page.locator('h4 code', { hasText: new RegExp(`^${scheme}$`) }),
    });
    await form.locator('input').fill(value);
    await form.locator('button.authorize').click();
    // Authorized: the form now offers Logout instead.
    await form.locator('button.btn-done, button:has-text("Logout")').first().waitFor();
  }
  await modal.locator('button.btn-done').first().click();
  await modal.waitFor({ state: 'detached' });
  return listed;
}

/** "Try it out" → "Execute" on one operation; the live response's status, body and curl line. */
async function tryItOut(
  page: Page,
  method: 'get' | 'post',
  path: string,
): Promise<{ status: number; body: string; curl: string }> {
  const op = page.locator(`.opblock-${method}`, {
    has: page.locator('.opblock-summary-path', {
      hasText: new RegExp(`^${path.replace(/[/]/g, '\\/')}$`),
    }),
  });
  await op.locator('.opblock-summary').click();
  await op.locator('button.try-out__btn').click();
  await op.locator('button.execute').click();
  const status = op.locator('.live-responses-table tbody .response-col_status').first();
  await status.waitFor({ timeout: 60_000 });
  const body = await op
    .locator('.live-responses-table tbody .response-col_description')
    .first()
    .innerText();
  const curl = await op.locator('.curl-command .curl').innerText();
  const code = Number((await status.innerText()).trim().slice(0, 3));
  // Collapse again so that the next operation's locators do not see this one's response.
  await op.locator('.opblock-summary').click();
  return { status: code, body, curl };
}

describe('Swagger UI authorizes each kind of caller and "Try it out" answers', () => {
  let idp: LoopbackIdp;
  let browser: Browser;
  beforeAll(async () => {
    idp = await LoopbackIdp.start();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await idp?.close();
  });

  describe('app-key deployment with the admin token and admin JWTs (JWT_*)', () => {
    let s: Listening;
    beforeAll(async () => {
      s = await listening({
        JWT_ISSUER: idp.issuer,
        JWT_JWKS_URI: idp.jwksUri,
        JWT_AUDIENCE: idp.audience,
      });
    });
    afterAll(() => s?.t.close());

    it(
      'with an app key, X-Client-Id and the admin token all authorized, GET /api/v1/app is sent the app key and the admin route the admin token',
      async () => {
        const page = await openDocs(browser, s.base);
        try {
          const listed = await authorizeInDialog(page, {
            [SECURITY.appKey]: s.key,
            [SECURITY.clientId]: 'alice',
            [SECURITY.adminToken]: ADMIN_TOKEN,
          });
          // The dialog offers what this deployment takes, in the order a caller needs it.
          expect(listed).toEqual([
            'app-key',
            'X-Client-Id',
            'X-SD-Auth-Token',
            'admin-token',
            'admin-jwt',
          ]);

          const app = await tryItOut(page, 'get', '/api/v1/app');
          expect(app.status, app.body).toBe(200);
          expect(app.body).toContain(`"name": "${s.appName}"`);
          expect(app.curl).toContain(`Authorization: Bearer ${s.key}`);
          expect(app.curl).toContain('X-Client-Id: alice');
          expect(app.curl).not.toContain(ADMIN_TOKEN);

          const apps = await tryItOut(page, 'get', '/api/v1/admin/apps');
          expect(apps.status, apps.body).toBe(200);
          expect(apps.body).toContain(s.appName);
          expect(apps.curl).toContain(`Authorization: Bearer ${ADMIN_TOKEN}`);
          expect(apps.curl).not.toContain(s.key);
        } finally {
          await page.context().close();
        }
      },
      UI_TIMEOUT,
    );

    it(
      'an admin JWT (an IdP token with VOICEBOX_ADMIN_SCOPE) lists the apps; an app key alone gets 400 naming X-Client-Id',
      async () => {
        const adminJwt = await idp.issueToken('voicebox:admin');
        const page = await openDocs(browser, s.base);
        try {
          await authorizeInDialog(page, {
            [SECURITY.adminJwt]: adminJwt,
            [SECURITY.appKey]: s.key,
          });
          const apps = await tryItOut(page, 'get', '/api/v1/admin/apps');
          expect(apps.status, apps.body).toBe(200);
          expect(apps.body).toContain(s.appName);
          expect(apps.curl).toContain(`Authorization: Bearer ${adminJwt}`);

          const app = await tryItOut(page, 'get', '/api/v1/app');
          expect(app.status, app.body).toBe(400);
          expect(app.body).toContain('"field": "X-Client-Id"');
        } finally {
          await page.context().close();
        }
      },
      UI_TIMEOUT,
    );
  });

  describe('public-API JWT deployment (API_AUTH_JWT_ENABLED)', () => {
    let s: Listening;
    beforeAll(async () => {
      s = await listening({
        API_AUTH_JWT_ENABLED: 'true',
        API_AUTH_ISSUER: idp.issuer,
        API_AUTH_JWKS_URI: idp.jwksUri,
        API_AUTH_AUDIENCE: idp.audience,
        API_AUTH_REQUIRED_SCOPES: 'voicebox:read',
      });
    });
    afterAll(() => s?.t.close());

    it(
      "the user's IdP token with X-Voicebox-App-Key and X-Client-Id reads the app's settings",
      async () => {
        const userToken = await idp.issueToken('voicebox:read');
        const page = await openDocs(browser, s.base);
        try {
          const listed = await authorizeInDialog(page, {
            [SECURITY.userJwt]: userToken,
            [SECURITY.appKeyHeader]: s.key,
            [SECURITY.clientId]: 'bob',
          });
          expect(listed.slice(0, 3)).toEqual(['user-jwt', 'X-Voicebox-App-Key', 'X-Client-Id']);
          expect(listed).not.toContain('app-key');

          const app = await tryItOut(page, 'get', '/api/v1/app');
          expect(app.status, app.body).toBe(200);
          expect(app.body).toContain(`"name": "${s.appName}"`);
          expect(app.curl).toContain(`Authorization: Bearer ${userToken}`);
          expect(app.curl).toContain(`X-Voicebox-App-Key: ${s.key}`);
        } finally {
          await page.context().close();
        }
      },
      UI_TIMEOUT,
    );
  });
});
