import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const MAIN_JS = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as { port: number };
  srv.close();
  await once(srv, 'close');
  return port;
}

export interface ServiceProcess {
  child: ChildProcess;
  port: number;
  /** The metrics listener's port (METRICS_PORT): a free one unless the test set it. */
  metricsPort: number;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs the built service (`node dist/main.js`) as a real process with the given environment. */
export async function spawnService(
  env: Record<string, string>,
  // VOICEBOX_TEST_NODE runs the service on another Node (scripts/test.sh: the image's Node 24).
  nodeBinary = process.env.VOICEBOX_TEST_NODE ?? process.execPath,
): Promise<ServiceProcess> {
  const port = Number(env.PORT ?? (await freePort()));
  // Never the default 9464: services spawned side by side would fight over it.
  const metricsPort = Number(env.METRICS_PORT ?? (await freePort()));
  const child = spawn(nodeBinary, [MAIN_JS], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      HOST: '127.0.0.1',
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return { child, port, metricsPort, stdout: () => out, stderr: () => err, exited };
}

/** Polls until the service answers, or throws with its output. */
export async function waitForHttp(
  svc: ServiceProcess,
  path = '/system/health',
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (svc.child.exitCode !== null)
      throw new Error(`service exited early:\n${svc.stdout()}\n${svc.stderr()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${svc.port}${path}`);
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`service did not answer in ${timeoutMs} ms:\n${svc.stdout()}\n${svc.stderr()}`);
}

/**
 * spawnService, then waitForHttp. A port found free can be taken before the service binds it (by
 * another process's outgoing connection while several start at once): unless the test chose the
 * ports, such a start (EADDRINUSE) is retried on other ones.
 */
export async function spawnReadyService(
  env: Record<string, string>,
  path = '/system/ready',
): Promise<ServiceProcess> {
  for (let attempt = 1; ; attempt++) {
    const svc = await spawnService(env);
    try {
      await waitForHttp(svc, path);
      return svc;
    } catch (err) {
      const portsChosen = env.PORT !== undefined && env.METRICS_PORT !== undefined;
      const lostPort = /EADDRINUSE/.test(svc.stdout() + svc.stderr());
      if (attempt < 3 && !portsChosen && lostPort && svc.child.exitCode !== null) continue;
      // Not ready in time: the caller never gets this process, so it must not outlive the test.
      if (svc.child.exitCode === null) svc.child.kill('SIGKILL');
      throw err;
    }
  }
}
