import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface OpenApi {
  paths: Record<string, Record<string, { summary?: string; responses: Record<string, unknown> }>>;
  components: {
    securitySchemes: Record<
      string,
      {
        type: string;
        scheme?: string;
        in?: string;
        name?: string;
        bearerFormat?: string;
        description?: string;
      }
    >;
  };
}

interface Schema {
  $ref?: string;
  example?: unknown;
  examples?: unknown;
  items?: Schema;
  properties?: Record<string, Schema>;
  allOf?: Schema[];
  oneOf?: Schema[];
}
type Content = Record<string, { schema?: Schema; example?: unknown; examples?: unknown }>;
interface OpenApiFull {
  paths: Record<
    string,
    Record<
      string,
      {
        summary?: string;
        security?: Array<Record<string, string[]>>;
        requestBody?: { content?: Content };
        responses: Record<string, { content?: Content }>;
      }
    >
  >;
  components: { schemas: Record<string, Schema> };
}

describe('OpenAPI document and Swagger UI at /api/v1/docs', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('declares one scheme per credential, the admin token its own, in the order a caller needs them', async () => {
    const doc = (await (await fetch(`${base}/api/v1/docs/openapi.json`)).json()) as OpenApi;
    const schemes = doc.components.securitySchemes;
    // App-key mode (no API_AUTH_JWT_ENABLED): the user-token schemes are not offered.
    expect(Object.keys(schemes)).toEqual([
      'app-key',
      'X-Client-Id',
      'X-SD-Auth-Token',
      'admin-token',
      'admin-jwt',
    ]);
    expect(schemes['app-key']).toEqual({
      type: 'http',
      scheme: 'bearer',
      description: expect.stringContaining('app key') as string,
    });
    expect(schemes['admin-token']).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes['admin-token'].description).toMatch(/VOICEBOX_ADMIN_TOKEN/);
    expect(schemes['admin-token'].bearerFormat).toBeUndefined();
    expect(schemes['admin-jwt']).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    expect(schemes['admin-jwt'].description).toMatch(/VOICEBOX_ADMIN_SCOPE/);
    for (const header of ['X-Client-Id', 'X-SD-Auth-Token']) {
      expect(schemes[header]).toMatchObject({ type: 'apiKey', in: 'header', name: header });
    }
  });

  it('lists the credentials that work together on each route (one requirement object = AND)', async () => {
    const doc = (await (await fetch(`${base}/api/v1/docs/openapi.json`)).json()) as OpenApiFull;
    const appKey = [
      { 'app-key': [], 'X-Client-Id': [] },
      { 'app-key': [], 'X-Client-Id': [], 'X-SD-Auth-Token': [] },
    ];
    expect(doc.paths['/api/v1/app'].get.security).toEqual(appKey);
    expect(doc.paths['/api/v1/voicebox/ask'].post.security).toEqual(appKey);
    // The model list serves the app, not a user: X-Client-Id is optional there.
    expect(doc.paths['/v1/models'].get.security).toEqual(
      expect.arrayContaining([{ 'app-key': [] }, { 'app-key': [], 'X-Client-Id': [] }]),
    );
    // Admin routes take the admin token or an admin JWT, never an app key (this test app has
    // neither configured, so both are shown as what the route would take).
    expect(doc.paths['/api/v1/admin/apps'].post.security).toEqual([
      { 'admin-token': [] },
      { 'admin-jwt': [] },
    ]);
    expect(doc.paths['/system/health'].get.security).toBeUndefined();
  });

  it('gives each error response an example of its own status, and lists the 400 of X-Client-Id', async () => {
    const doc = (await (await fetch(`${base}/api/v1/docs/openapi.json`)).json()) as OpenApiFull;
    const problems: string[] = [];
    let errors = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) < 400) continue;
          errors++;
          const where = `${method.toUpperCase()} ${path} ${status}`;
          const json = response.content?.['application/json'];
          // Readiness reports its checks, not an error body.
          if (!json?.schema?.$ref?.endsWith('/ErrorResponseDto')) {
            if (path !== '/system/ready') problems.push(`${where}: not an ErrorResponseDto`);
            continue;
          }
          const bodies = json?.examples
            ? Object.values(json.examples as Record<string, { value: { status: number } }>).map(
                (e) => e.value,
              )
            : json?.example !== undefined
              ? [json.example as { status: number }]
              : [];
          if (bodies.length === 0) problems.push(`${where}: no example`);
          for (const body of bodies) {
            if (body.status !== Number(status)) {
              problems.push(`${where}: example of a ${body.status}`);
            }
          }
        }
      }
    }
    expect(errors).toBeGreaterThanOrEqual(40);
    expect(problems).toEqual([]);
    const clientId400 = JSON.stringify(doc.paths['/api/v1/app'].get.responses['400']);
    expect(clientId400).toContain('"field":"X-Client-Id"');
    expect(doc.paths['/api/v1/admin/apps'].get.responses['401']).toBeDefined();
    expect(JSON.stringify(doc.paths['/api/v1/admin/apps'].get.responses['403'])).toContain(
      'auth.insufficient_scope',
    );
  });

  it('documents every operation with a summary, and request and response schemas with examples', async () => {
    const doc = (await (await fetch(`${base}/api/v1/docs/openapi.json`)).json()) as OpenApiFull;
    const hasExample = (schema: Schema | undefined, seen = new Set<string>()): boolean => {
      if (!schema) return false;
      if (schema.example !== undefined || schema.examples !== undefined) return true;
      if (schema.$ref) {
        const name = schema.$ref.split('/').pop()!;
        if (seen.has(name)) return false;
        seen.add(name);
        return hasExample(doc.components.schemas[name], seen);
      }
      if (schema.items) return hasExample(schema.items, seen);
      const parts = [
        ...Object.values(schema.properties ?? {}),
        ...(schema.allOf ?? []),
        ...(schema.oneOf ?? []),
      ];
      return parts.some((p) => hasExample(p, seen));
    };
    const documented = (
      c: { schema?: Schema; example?: unknown; examples?: unknown } | undefined,
    ) =>
      c !== undefined &&
      (c.example !== undefined || c.examples !== undefined || hasExample(c.schema));
    const problems: string[] = [];
    let operations = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        operations++;
        const where = `${method.toUpperCase()} ${path}`;
        if (!op.summary) problems.push(`${where}: no summary`);
        if (op.requestBody && !documented(op.requestBody.content?.['application/json'])) {
          problems.push(`${where}: request body without schema example`);
        }
        const success = Object.entries(op.responses).filter(([status]) => Number(status) < 400);
        if (success.length === 0) problems.push(`${where}: no success response`);
        for (const [status, response] of success) {
          if (status === '204') continue;
          const content = response.content && Object.values(response.content)[0];
          if (!documented(content)) problems.push(`${where}: ${status} without schema example`);
        }
      }
    }
    expect(operations).toBeGreaterThanOrEqual(15);
    expect(problems).toEqual([]);
    const yaml = await fetch(`${base}/api/v1/docs/openapi.yaml`);
    expect(await yaml.text()).toMatch(/^openapi: 3/m);
  });

  it('renders every operation in headless Chromium', async () => {
    const doc = (await (await fetch(`${base}/api/v1/docs/openapi.json`)).json()) as OpenApi;
    const expected = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    const page = await browser.newPage();
    const failures: string[] = [];
    page.on('pageerror', (e) => failures.push(e.message));
    await page.goto(`${base}/api/v1/docs`, { waitUntil: 'load' });
    await page.waitForSelector('.opblock', { timeout: 15_000 });
    const rendered = await page.locator('.opblock').count();
    expect(rendered).toBe(expected);
    const paths = await page.locator('.opblock-summary-path').allInnerTexts();
    expect(paths.map((p) => p.replace(/\u200b/g, ''))).toEqual(
      expect.arrayContaining(['/system/health', '/system/ready']),
    );
    // The Authorize dialog lists our security schemes.
    await page.click('button.authorize');
    const dialog = await page.locator('.auth-container').allInnerTexts();
    expect(dialog.join('\n')).toMatch(
      /app-key[\s\S]*X-Client-Id[\s\S]*X-SD-Auth-Token[\s\S]*admin-token[\s\S]*admin-jwt/,
    );
    expect(failures).toEqual([]);
    await page.screenshot({ path: 'dist/swagger-ui.png', fullPage: false });
    await page.close();
  });
});
