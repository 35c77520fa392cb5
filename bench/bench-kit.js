/* global process, URL */
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
