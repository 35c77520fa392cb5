import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnService, waitForHttp, type ServiceProcess } from '../support/service-process.js';

function portIsOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * Probes the port for as long as the process lives: a check after exit would pass whether or not
 * the port had been opened. True when it was ever open.
 */
async function portOpenedBeforeExit(svc: ServiceProcess): Promise<boolean> {
  let exited = false;
  void svc.exited.then(() => (exited = true));
  let opened = false;
  while (!exited && !opened) {
    opened = await portIsOpen(svc.port);
    await new Promise((r) => setTimeout(r, 20));
  }
  return opened;
}

async function waitForLog(svc: ServiceProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(svc.stdout())) {
    if (Date.now() > deadline || svc.child.exitCode !== null)
      throw new Error(`no log line ${String(pattern)}:\n${svc.stdout()}\n${svc.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs `body` with a spawned service, which is killed whatever happens. */
async function withService(
  env: Record<string, string>,
  body: (svc: ServiceProcess) => Promise<void>,
): Promise<void> {
  const svc = await spawnService(env);
  try {
    await body(svc);
  } finally {
    if (svc.child.exitCode === null && svc.child.signalCode === null) svc.child.kill('SIGKILL');
  }
}

describe('start-up', { timeout: 180_000 }, () => {
  it('serves on the embedded defaults with no environment variable, and exits 0 on SIGTERM', async () => {
    await withService({}, async (svc) => {
      await waitForHttp(svc);
      // The embedded graph loads at bootstrap, before and without any readiness probe.
      await waitForLog(svc, /"msg":"embedded knowledge graph loaded"/, 30_000);
      const ready = await fetch(`http://127.0.0.1:${svc.port}/system/ready`);
      expect(ready.status).toBe(200);
      const lines = svc
        .stdout()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { msg: string; level: string });
      expect(lines.some((l) => l.msg.startsWith('Voicebox Service listening on'))).toBe(true);
      // /metrics on its own listener (METRICS_PORT), not on the public port.
      const scrape = await fetch(`http://127.0.0.1:${svc.metricsPort}/metrics`);
      expect(scrape.status).toBe(200);
      expect(await scrape.text()).toMatch(
        /voicebox_http_request_duration_seconds_count\{method="GET",route="\/system\/ready",status_code="200"\} [1-9]/,
      );
      expect((await fetch(`http://127.0.0.1:${svc.port}/metrics`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${svc.metricsPort}/system/health`)).status).toBe(404);
      svc.child.kill('SIGTERM');
      expect(await svc.exited).toEqual({ code: 0, signal: null });
      expect(svc.stdout()).toMatch(/"msg":"shutdown complete"/);
    });
  });

  it.each([
    [
      { LOG_LEVEL: 'LOUD' },
      /^configuration error: LOG_LEVEL: must be one of DEBUG, INFO, WARNING, ERROR \(got "LOUD"\)$/m,
    ],
    [
      { REQUIRE_JWT_AUTH: 'true', JWT_ISSUER: 'https://idp.example.com' },
      /^configuration error: JWT_JWKS_URI: is required when REQUIRE_JWT_AUTH=true$/m,
    ],
  ])('stops before the port opens on an invalid variable %j', async (env, line) => {
    await withService(env, async (svc) => {
      expect(await portOpenedBeforeExit(svc)).toBe(false);
      const { code } = await svc.exited;
      expect(code).not.toBe(0);
      expect(svc.stderr()).toMatch(line);
    });
  });

  it('stops before the port opens when the configured LLM has no credential, naming the variable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vbx-start-'));
    const path = join(dir, 'voicebox.json');
    writeFileSync(
      path,
      JSON.stringify({ default_llm_config: { llm_provider: 'openai', llm_name: 'gpt-4o' } }),
    );
    await withService(
      { VBX_CONFIG_FILE: path, VOICEBOX_DATA_DIR: join(dir, 'data') },
      async (svc) => {
        expect(await portOpenedBeforeExit(svc)).toBe(false);
        const { code } = await svc.exited;
        expect(code).toBe(78);
        expect(svc.stderr().trim()).toBe(
          'configuration error: OPENAI_API_KEY: is required for default_llm_config (llm_provider "openai")',
        );
      },
    );
  });

  it('stops before the port opens on an invalid VBX_CONFIG_FILE, naming the JSON path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vbx-start-'));
    const path = join(dir, 'voicebox.json');
    writeFileSync(
      path,
      JSON.stringify({
        default_llm_config: { llm_provider: 'openai', llm_name: 'gpt-4o', max_tokens: -1 },
      }),
    );
    await withService(
      { VBX_CONFIG_FILE: path, OPENAI_API_KEY: 'sk-test-start-up-secret' },
      async (svc) => {
        expect(await portOpenedBeforeExit(svc)).toBe(false);
        const { code } = await svc.exited;
        expect(code).not.toBe(0);
        expect(svc.stderr().trim()).toBe(
          'configuration error: VBX_CONFIG_FILE $.default_llm_config.max_tokens: must be a positive integer',
        );
        expect(svc.stderr() + svc.stdout()).not.toContain('sk-test-start-up-secret');
      },
    );
  });
});
