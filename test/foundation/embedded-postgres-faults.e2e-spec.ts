import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnService, waitForHttp, type ServiceProcess } from '../support/service-process.js';

const ADMIN_TOKEN = 'faults-admin-token-0123456789';

/** The embedded server's postmaster, from PostgreSQL's own lock file in the data folder. */
function postmasterPid(dataDir: string): number {
  return Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
}

function env(dataDir: string): Record<string, string> {
  return {
    VOICEBOX_DATA_DIR: dataDir,
    VOICEBOX_ADMIN_TOKEN: ADMIN_TOKEN,
    VOICEBOX_EMBEDDED_DEMO: 'false',
    // Long enough that waiting for it would show: the exits below must come well before.
    VOICEBOX_SHUTDOWN_TIMEOUT_SECONDS: '30',
  };
}

/** A request that needs the database. */
function listApps(svc: ServiceProcess): Promise<Response> {
  return fetch(`http://127.0.0.1:${svc.port}/api/v1/admin/apps`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
}

async function eventually(
  what: string,
  svc: ServiceProcess,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const passes = async () => {
    try {
      return await check();
    } catch {
      return false;
    }
  };
  while (!(await passes())) {
    if (Date.now() > deadline) throw new Error(`${what} not seen:\n${svc.stdout()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** SIGTERM, and how long the process took to exit. */
async function terminate(svc: ServiceProcess): Promise<{ ms: number; code: number | null }> {
  const started = Date.now();
  svc.child.kill('SIGTERM');
  const { code } = await svc.exited;
  return { ms: Date.now() - started, code };
}

async function withServices(
  body: (spawn: (dataDir: string) => Promise<ServiceProcess>, dataDir: string) => Promise<void>,
): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'voicebox-pgfault-'));
  const spawned: ServiceProcess[] = [];
  try {
    await body(async (dir) => {
      const svc = await spawnService(env(dir));
      spawned.push(svc);
      await waitForHttp(svc, '/system/ready');
      return svc;
    }, dataDir);
  } finally {
    for (const svc of spawned) {
      if (svc.child.exitCode === null && svc.child.signalCode === null) svc.child.kill('SIGKILL');
    }
    // A server left by a killed service: stop it by the pid it wrote, so nothing outlives the test.
    try {
      process.kill(postmasterPid(dataDir), 'SIGKILL');
    } catch {
      // none left
    }
    await rm(dataDir, { recursive: true, force: true });
  }
}

describe('a dead embedded PostgreSQL', { timeout: 180_000 }, () => {
  it('is restarted after kill -9 (logged), requests succeed again, and SIGTERM then exits promptly', async () => {
    await withServices(async (spawn, dataDir) => {
      const svc = await spawn(dataDir);
      expect((await listApps(svc)).status).toBe(200);
      const pid = postmasterPid(dataDir);
      process.kill(pid, 'SIGKILL');
      await eventually(
        'a restart',
        svc,
        () => /embedded PostgreSQL is back/.test(svc.stdout()),
        60_000,
      );
      await eventually(
        'a database request succeeding',
        svc,
        async () => (await listApps(svc)).status === 200,
        30_000,
      );
      expect(postmasterPid(dataDir)).not.toBe(pid);
      expect(svc.stdout()).toMatch(/"msg":"embedded PostgreSQL went away: restarting it"/);
      expect((await fetch(`http://127.0.0.1:${svc.port}/system/health`)).status).toBe(204);
      const exit = await terminate(svc);
      expect(exit.code).toBe(0);
      expect(exit.ms).toBeLessThan(10_000);
      // It stopped the server it restarted.
      expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
    });
  });

  it('fails liveness when it cannot be restarted, and SIGTERM exits promptly', async () => {
    await withServices(async (spawn, dataDir) => {
      const svc = await spawn(dataDir);
      expect((await fetch(`http://127.0.0.1:${svc.port}/system/health`)).status).toBe(204);
      process.kill(postmasterPid(dataDir), 'SIGKILL');
      // The cluster is gone: a restart must not quietly initialise an empty one.
      await rename(join(dataDir, 'postgres'), join(dataDir, 'postgres-moved'));
      let health: Response | undefined;
      await eventually(
        'failing liveness',
        svc,
        async () => {
          health = await fetch(`http://127.0.0.1:${svc.port}/system/health`);
          return health.status === 503;
        },
        60_000,
      );
      expect(((await health!.json()) as { code: string }).code).toBe('system.not_alive');
      // Logs are written in batches: wait for the line rather than expect it at once.
      await eventually(
        'the log saying so',
        svc,
        () => /embedded PostgreSQL could not be restarted/.test(svc.stdout()),
        10_000,
      );
      expect(existsSync(join(dataDir, 'postgres', 'PG_VERSION'))).toBe(false);
      const exit = await terminate(svc);
      expect(exit.code).toBe(0);
      expect(exit.ms).toBeLessThan(10_000);
    });
  });

  it('a second instance attached to the first one is told when it goes away and takes over', async () => {
    await withServices(async (spawn, dataDir) => {
      const first = await spawn(dataDir);
      const second = await spawn(dataDir);
      expect(second.stdout()).toMatch(/attached to the embedded PostgreSQL already running/);
      expect((await listApps(second)).status).toBe(200);
      const firstPid = postmasterPid(dataDir);
      // The owner stops, and its server with it.
      expect((await terminate(first)).code).toBe(0);
      await eventually(
        'a database request succeeding',
        second,
        async () => (await listApps(second)).status === 200,
        60_000,
      );
      // Logs are written in batches: the request can succeed before the line is out.
      await eventually(
        'the log saying it is back',
        second,
        () => /"msg":"embedded PostgreSQL is back"/.test(second.stdout()),
        10_000,
      );
      expect(postmasterPid(dataDir)).not.toBe(firstPid);
      // Now the owner, it stops its server promptly on SIGTERM.
      const exit = await terminate(second);
      expect(exit.code).toBe(0);
      expect(exit.ms).toBeLessThan(10_000);
      expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
    });
  });
});
