/* global process, URL, fetch, performance, setTimeout */
// What the HTTP benches share: pinning processes to cores, autocannon in its own process, a free
// port, a process's CPU from /proc, and the small statistics their tables print.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const AUTOCANNON = join(ROOT, 'node_modules/autocannon/autocannon.js');
const MAIN_JS = join(ROOT, 'dist/main.js');

/** The Node binary of the services under test (VOICEBOX_BENCH_NODE, e.g. Node 24), else this one. */
export const SERVER_NODE = process.env.VOICEBOX_BENCH_NODE || process.execPath;
/** How long a service may take to become ready (and load its graph) before the bench gives up. */
const START_PATIENCE_MS = 120_000;
// USER_HZ of /proc/<pid>/stat: 100 on Linux builds of every common architecture.
const CLOCK_TICKS = 100;

/** The cores of servers and load generator (BENCH_SERVER_CPU, BENCH_LOAD_CPU), or null without taskset. */
export function pinning() {
  const taskset = ['/usr/bin/taskset', '/bin/taskset'].find((p) => existsSync(p));
  if (!taskset || cpus().length < 2) return null;
  return {
    taskset,
    server: process.env.BENCH_SERVER_CPU ?? '1',
    load: process.env.BENCH_LOAD_CPU ?? '0',
  };
}

/** [command, args] running `argv` on `core` when pinning is on. */
export function pinned(pin, core, argv) {
  return pin && core !== null ? [pin.taskset, ['-c', core, ...argv]] : [argv[0], argv.slice(1)];
}

export async function versionOf(node) {
  const child = spawn(node, ['--version']);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise((r) => child.on('close', r));
  return out.trim();
}

/**
 * Runs autocannon's CLI in its own process on the load core, for `duration` seconds or `amount`
 * requests; resolves with its JSON result, and fails on any non-2xx, error or timeout.
 */
export async function autocannon(t, { duration, connections, amount }, pin) {
  const args = [AUTOCANNON, '-j', '-n', '-c', String(connections)];
  if (amount) args.push('-a', String(amount));
  else args.push('-d', String(duration));
  if (t.method) args.push('-m', t.method);
  if (t.body) args.push('-b', t.body);
  for (const [k, v] of Object.entries(t.headers ?? {})) args.push('-H', `${k}=${v}`);
  args.push(t.url);
  const [cmd, argv] = pinned(pin, pin?.load ?? null, [process.execPath, ...args]);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise((r) => child.on('close', r));
  if (code !== 0) throw new Error(`autocannon exited ${code}: ${err}`);
  const r = JSON.parse(out);
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) {
    throw new Error(`${t.name}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
  }
  return r;
}

export async function freePort() {
  const srv = createNetServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

/** CPU seconds (user + system, every thread) the process has used so far. */
export function cpuOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

export function median(xs) {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

export function fmtLoad(l) {
  return l.map((x) => x.toFixed(2)).join(', ');
}

/**
 * The database of the services: DATABASE_URL, else an ephemeral embedded PostgreSQL in `dir`
 * (stopped by the cleanup pushed onto `cleanups`).
 */
export async function benchDatabaseUrl(dir, cleanups) {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const pino = (await import('pino')).default;
  const { startEmbeddedPostgres } = await import(
    new URL('../dist/database/embedded-postgres.server.js', import.meta.url).href
  );
  const pg = await startEmbeddedPostgres({
    dir,
    logger: pino({ level: 'silent' }),
    ephemeral: true,
  });
  cleanups.push(() => pg.stop());
  return pg.url;
}

/**
 * The service as production runs it (`node dist/main.js`), pinned, stdout a pipe drained here.
 * Resolves once /system/ready answers 200 (and, with `watchGraph`, the embedded graph is loaded:
 * readiness does not wait for it), with the times that took from the spawn.
 */
export async function startService(env, opts) {
  // A port found free can be taken before the service binds it (by another service's outgoing
  // connection, when several start at once): that start is retried on other ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServiceOnce(env, opts);
    } catch (err) {
      if (attempt >= 3 || !err.addressInUse) throw err;
    }
  }
}

async function startServiceOnce(env, { children, pin, watchGraph }) {
  const port = await freePort();
  const metricsPort = await freePort();
  const [cmd, args] = pinned(pin, pin?.server ?? null, [SERVER_NODE, MAIN_JS]);
  const started = performance.now();
  const child = spawn(cmd, args, {
    cwd: ROOT,
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
  children.push(child);
  const exited = new Promise((r) => child.once('exit', r));
  let bytes = 0;
  let graphMs;
  let head = '';
  // The service logs to stdout: the last lines say why it stopped, if it stops during start-up.
  let tail = '';
  let startingUp = true;
  child.stdout.on('data', (d) => {
    bytes += d.length;
    if (startingUp) tail = (tail + d).slice(-4096);
    if (watchGraph && graphMs === undefined) {
      head += d;
      if (head.includes('"msg":"embedded knowledge graph loaded"')) {
        graphMs = Math.round(performance.now() - started);
        head = '';
      }
    }
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exitedEarly = () =>
    new Error(
      `service exited at start-up (${child.exitCode ?? child.signalCode}):\n${stderr}${tail}`,
    );
  const url = `http://127.0.0.1:${port}`;
  // Generous: a first start on a fresh database migrates it and seeds the demo app.
  const giveUpAt = performance.now() + START_PATIENCE_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw exitedEarly();
    if (performance.now() > giveUpAt) {
      throw new Error(`service not ready after ${START_PATIENCE_MS} ms:\n${stderr}${tail}`);
    }
    const ok = await fetch(`${url}/system/ready`)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  const readyMs = Math.round(performance.now() - started);
  while (watchGraph && graphMs === undefined) {
    if (child.exitCode !== null || child.signalCode !== null) throw exitedEarly();
    if (performance.now() > giveUpAt) {
      throw new Error(`embedded graph not loaded after ${START_PATIENCE_MS} ms:\n${stderr}${tail}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  startingUp = false;
  tail = '';
  return {
    child,
    pid: child.pid,
    url,
    metricsUrl: `http://127.0.0.1:${metricsPort}`,
    exited,
    logBytes: () => bytes,
    startup: { readyMs, graphMs },
  };
}

/** Creates an app named `name` on the embedded CK25 graph and a key, through the admin API. */
export async function createAppKey(base, adminToken, name) {
  const admin = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
  const app = await fetch(`${base}/api/v1/admin/apps`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ name, database: 'ck25' }),
  });
  if (app.status !== 201) throw new Error(`create app: HTTP ${app.status} ${await app.text()}`);
  const { id } = await app.json();
  const key = await fetch(`${base}/api/v1/admin/apps/${id}/keys`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ name }),
  });
  if (key.status !== 201) throw new Error(`create key: HTTP ${key.status} ${await key.text()}`);
  return (await key.json()).key;
}
