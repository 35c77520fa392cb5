import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECURITY } from '../../src/common/http/security-schemes.js';
import { launchChromium } from '../support/chromium.js';
import { OpenAiWireServer } from '../support/llm-wire/openai-wire-server.js';
import {
  KAREN_DEPT_QUERY,
  answerReply,
  sparqlReply,
  startVoicebox,
  type VoiceboxTestApp,
} from './voicebox-kit.js';

interface OpenApi {
  paths: Record<
    string,
    Record<
      string,
      {
        security?: Array<Record<string, string[]>>;
        requestBody?: { content: Record<string, { examples?: Record<string, unknown> }> };
        responses: Record<string, { content?: Record<string, unknown> }>;
      }
    >
  >;
}

describe('the ask routes in the OpenAPI document and Swagger UI', () => {
  let wire: OpenAiWireServer;
  let t: VoiceboxTestApp;
  let base: string;
  let browser: Browser;
  beforeAll(async () => {
    wire = await OpenAiWireServer.start();
    t = await startVoicebox(wire);
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await wire?.close();
  });

  it('documents ask, generate-query and stream/ask with examples, app-key security and the NDJSON stream', async () => {
    const doc = (await (await fetch(`${base}/api/v1/docs/openapi.json`)).json()) as OpenApi;
    for (const route of ['ask', 'generate-query', 'stream/ask']) {
      const op = doc.paths[`/api/v1/voicebox/${route}`]?.post;
      expect(op, route).toBeDefined();
      const examples = op.requestBody?.content['application/json']?.examples ?? {};
      expect(Object.keys(examples).length, route).toBeGreaterThan(0);
      const schemes = (op.security ?? []).flatMap((s) => Object.keys(s));
      expect(schemes, route).toContain(SECURITY.appKey);
      expect(schemes, route).toContain(SECURITY.clientId);
      expect(op.responses['200'], route).toBeDefined();
    }
    const stream = doc.paths['/api/v1/voicebox/stream/ask'].post;
    expect(Object.keys(stream.responses['200'].content ?? {})).toContain('application/x-ndjson');
  });

  it('answers a question through "Try it out" in Swagger UI', async () => {
    const answer = 'Ms. Brant works in the Engineering department.';
    wire.reply(sparqlReply(KAREN_DEPT_QUERY), answerReply(answer));
    const page = await browser.newPage();
    try {
      await page.goto(`${base}/api/v1/docs`, { waitUntil: 'load' });
      await page.waitForSelector('.opblock', { timeout: 30_000 });
      // Authorize as an app-key caller, as a user does in the Authorize dialog.
      await page.evaluate(
        ({ schemes, key }) => {
          const ui = (
            globalThis as unknown as { ui: { preauthorizeApiKey(n: string, v: string): void } }
          ).ui;
          ui.preauthorizeApiKey(schemes.appKey, key);
          ui.preauthorizeApiKey(schemes.clientId, 'alice');
        },
        { schemes: { appKey: SECURITY.appKey, clientId: SECURITY.clientId }, key: t.key },
      );
      const op = page.locator('.opblock-post', {
        has: page.locator('.opblock-summary-path', { hasText: /^\/api\/v1\/voicebox\/ask$/ }),
      });
      await op.locator('.opblock-summary').click();
      await op.locator('button.try-out__btn').click();
      await op
        .locator('textarea.body-param__text')
        .fill(JSON.stringify({ query: 'In which department is Ms. Brant?' }));
      await op.locator('button.execute').click();
      const status = op.locator('.live-responses-table tbody .response-col_status').first();
      await status.waitFor({ timeout: 60_000 });
      expect((await status.innerText()).trim()).toMatch(/^200/);
      const body = await op
        .locator('.live-responses-table tbody .response-col_description')
        .first()
        .innerText();
      expect(body).toContain(answer);
      expect(body).toContain('"conversation_id"');
      // The key travelled as the bearer and the end user as X-Client-Id: the audit names alice.
      const audit = t.logs
        .json()
        .find((l) => l.msg === 'audit' && l.route === '/api/v1/voicebox/ask');
      expect(audit?.client_id).toBe('alice');
    } finally {
      await page.close();
    }
    // Chromium on a busy 2-core machine: rendering Swagger UI alone can take tens of seconds.
  }, 150_000);
});
