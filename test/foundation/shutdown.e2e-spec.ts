import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { GracefulShutdown } from '../../src/bootstrap/graceful-shutdown.js';
import { ReadinessService } from '../../src/health/readiness.service.js';
import { FixtureModule } from '../fixtures/fixture.module.js';
import { sharedTestDatabaseEnv } from '../support/postgres.js';
import { spawnService, waitForHttp } from '../support/service-process.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

function get(
  port: number,
  path: string,
  onFirstChunk: () => void = () => undefined,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        if (!body) onFirstChunk();
        body += d.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('graceful shutdown', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.app.close().catch(() => undefined);
    t = undefined;
  });

  async function listening(): Promise<{ t: TestApp; port: number }> {
    t = await startTestApp({}, [FixtureModule]);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (t.app.getHttpServer().address() as AddressInfo).port;
    return { t, port };
  }

  it('lets an in-flight stream finish, refuses new connections, and turns readiness off', async () => {
    const { t, port } = await listening();
    let streaming!: () => void;
    const started = new Promise<void>((r) => (streaming = r));
    const inflight = get(port, '/test/slow-stream?chunks=6', streaming); // about 1.2 s
    await started;
    const readiness = t.app.get(ReadinessService);
    const shutdown = new GracefulShutdown(t.app, readiness, pino({ level: 'silent' }), 10_000);
    const done = shutdown.run('SIGTERM');
    expect((await readiness.report()).ready).toBe(false);
    // The listener closes as soon as Nest's shutdown hooks have run; poll rather than guess when.
    let refused = false;
    for (let i = 0; i < 50 && !refused; i++) {
      refused = await get(port, '/system/health').then(
        () => false,
        (err: Error) => /ECONNREFUSED/.test(err.message),
      );
      if (!refused) await new Promise((r) => setTimeout(r, 20));
    }
    expect(refused).toBe(true);
    const stream = await inflight;
    expect(stream.status).toBe(200);
    const lines = stream.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { i: number; pending: boolean });
    expect(lines).toHaveLength(6);
    expect(lines.at(-1)).toEqual({ i: 5, pending: false });
    expect(await done).toBe('drained');
  });

  it('cuts connections still open at the deadline', async () => {
    const { t, port } = await listening();
    let streaming!: () => void;
    const streamStarted = new Promise<void>((r) => (streaming = r));
    const inflight = get(port, '/test/slow-stream?chunks=50', streaming); // about 10 s
    await streamStarted;
    const started = Date.now();
    const outcome = await new GracefulShutdown(
      t.app,
      t.app.get(ReadinessService),
      pino({ level: 'silent' }),
      600,
    ).run('SIGTERM');
    expect(outcome).toBe('deadline');
    expect(Date.now() - started).toBeLessThan(3000);
    await expect(inflight).rejects.toThrow(/aborted|socket hang up|ECONNRESET/);
  });
});

describe('graceful shutdown of the service process', () => {
  it('exits (code 1, the failure logged) when closing the application fails, instead of hanging', async () => {
    const preload = fileURLToPath(new URL('../fixtures/failing-app-close.js', import.meta.url));
    const svc = await spawnService({
      ...(await sharedTestDatabaseEnv()),
      NODE_OPTIONS: `--import=${preload}`,
      VOICEBOX_EMBEDDED_DEMO: 'false',
      VOICEBOX_SHUTDOWN_TIMEOUT_SECONDS: '5',
    });
    try {
      await waitForHttp(svc);
      svc.child.kill('SIGTERM');
      const exited = await Promise.race([
        svc.exited,
        new Promise<'still running'>((r) => setTimeout(() => r('still running'), 30_000)),
      ]);
      expect(exited, svc.stdout()).toEqual({ code: 1, signal: null });
      const lines = svc
        .stdout()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { msg: string; outcome?: string; err?: { message?: string } });
      const failed = lines.find((l) => l.msg === 'shutdown: closing the application failed');
      expect(failed?.err?.message).toBe('simulated failure closing the application');
      expect(lines.find((l) => l.msg === 'shutdown complete')?.outcome).toBe('close_failed');
    } finally {
      if (svc.child.exitCode === null && svc.child.signalCode === null) svc.child.kill('SIGKILL');
    }
  }, 120_000);
});
