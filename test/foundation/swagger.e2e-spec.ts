import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface OpenApi {
  paths: Record<string, Record<string, { summary?: string; responses: Record<string, unknown> }>>;
  components: {
    securitySchemes: Record<string, { type: string; scheme?: string; in?: string; name?: string }>;
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

  it('declares the security schemes of the public API', async () => {
    const doc = (await (await fetch(`${base}/api/v1/docs/openapi.json`)).json()) as OpenApi;
    const schemes = doc.components.securitySchemes;
    expect(schemes['app-key']).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes.jwt).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    for (const header of ['X-Voicebox-App-Key', 'X-Client-Id', 'X-SD-Auth-Token']) {
      expect(schemes[header]).toMatchObject({ type: 'apiKey', in: 'header', name: header });
    }
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
      /app-key[\s\S]*jwt[\s\S]*X-Voicebox-App-Key[\s\S]*X-Client-Id[\s\S]*X-SD-Auth-Token/,
    );
    expect(failures).toEqual([]);
    await page.screenshot({ path: 'dist/swagger-ui.png', fullPage: false });
    await page.close();
  });
});
