import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnService, waitForHttp } from '../support/service-process.js';

function portIsOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('start-up', () => {
  it('serves on the embedded defaults with no environment variable, and exits 0 on SIGTERM', async () => {
    const svc = await spawnService({});
    await waitForHttp(svc);
    const ready = await fetch(`http://127.0.0.1:${svc.port}/system/ready`);
    expect(ready.status).toBe(200);
    const lines = svc
      .stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; level: string });
    expect(lines.some((l) => l.msg.startsWith('Voicebox Service listening on'))).toBe(true);
    svc.child.kill('SIGTERM');
    expect(await svc.exited).toEqual({ code: 0, signal: null });
    expect(svc.stdout()).toMatch(/"msg":"shutdown complete"/);
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
    const svc = await spawnService(env);
    const { code } = await svc.exited;
    expect(code).not.toBe(0);
    expect(svc.stderr()).toMatch(line);
    expect(await portIsOpen(svc.port)).toBe(false);
  });

  it('stops before the port opens when the configured LLM has no credential, naming the variable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vbx-start-'));
    const path = join(dir, 'voicebox.json');
    writeFileSync(
      path,
      JSON.stringify({ default_llm_config: { llm_provider: 'openai', llm_name: 'gpt-4o' } }),
    );
    const svc = await spawnService({ VBX_CONFIG_FILE: path, VOICEBOX_DATA_DIR: join(dir, 'data') });
    const { code } = await svc.exited;
    expect(code).toBe(78);
    expect(svc.stderr().trim()).toBe(
      'configuration error: OPENAI_API_KEY: is required for default_llm_config (llm_provider "openai")',
    );
    expect(await portIsOpen(svc.port)).toBe(false);
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
    const svc = await spawnService({
      VBX_CONFIG_FILE: path,
      OPENAI_API_KEY: 'sk-test-start-up-secret',
    });
    const { code } = await svc.exited;
    expect(code).not.toBe(0);
    expect(svc.stderr().trim()).toBe(
      'configuration error: VBX_CONFIG_FILE $.default_llm_config.max_tokens: must be a positive integer',
    );
    expect(svc.stderr() + svc.stdout()).not.toContain('sk-test-start-up-secret');
  });
});
