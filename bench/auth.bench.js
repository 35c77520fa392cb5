/* global process, console, fetch, URL */
// The cost of authentication on the real `GET /api/v1/app`: with an app key (checked against
// PostgreSQL) and in public-API JWT mode (user JWT + X-Voicebox-App-Key), each against an
// unauthenticated route of the same process and against bare Fastify, all measured in one run.
//
//   npm run bench:auth        (builds, then: node bench/auth.bench.js && node bench/jwt-verify.bench.js)
//
// Env: BENCH_DURATION (seconds per target and round, default 6), BENCH_CONNECTIONS (default 50),
// BENCH_ROUNDS (default 3). Targets are warmed up, then measured in interleaved rounds; the median
// of the rounds is reported, so a burst of load on a shared machine hits every target alike.
// Each server runs in its own child process and autocannon runs here, so that the load generator
// does not take CPU from the server it measures.
// One embedded PostgreSQL (a real server, in a temp folder) serves both app processes.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const AUDIENCE = 'https://voicebox.bench/api';
const ADMIN_TOKEN = randomBytes(24).toString('hex');
const dist = (p) => import(new URL(`../dist/${p}`, import.meta.url).href);

if (process.argv[2] === '--serve-bare') await serveBare();
else if (process.argv[2] === '--serve-app') await serveApp();
else await main();

async function main() {
  const autocannon = (await import('autocannon')).default;
  const { exportJWK, generateKeyPair, SignJWT } = await import('jose');
  const pino = (await import('pino')).default;
  const { startEmbeddedPostgres } = await dist('database/embedded-postgres.server.js');
  const duration = Number(process.env.BENCH_DURATION ?? 6);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

  // A JWKS server standing in for the IdP (the bench measures validation, not the IdP).
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench-key', alg: 'RS256', use: 'sig' };
  let jwksFetches = 0;
  const jwks = createServer((_req, res) => {
    jwksFetches++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise((r) => jwks.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${jwks.address().port}`;
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ scp: ['voicebox:read'] })
    .setProtectedHeader({ alg: 'RS256', kid: 'bench-key' })
    .setIssuer(issuer)
    .setAudience(AUDIENCE)
    .setSubject('bench-user')
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(privateKey);

  const pgDir = await mkdtemp(join(tmpdir(), 'voicebox-bench-pg-'));
  const pg = await startEmbeddedPostgres({
    dir: pgDir,
    logger: pino({ level: 'silent' }),
    ephemeral: true,
  });
  const common = {
    // The service's default (INFO) unless the caller sets one.
    ...(process.env.LOG_LEVEL && { LOG_LEVEL: process.env.LOG_LEVEL }),
    DATABASE_URL: pg.url,
    VOICEBOX_SECRET_KEY: randomBytes(32).toString('base64'),
    VOICEBOX_ADMIN_TOKEN: ADMIN_TOKEN,
    VOICEBOX_EMBEDDED_DEMO: 'false',
  };
  const children = [];
  try {
    const bare = await start('--serve-bare', {}, children);
    const keyed = await start('--serve-app', common, children);
    const jwtMode = await start(
      '--serve-app',
      {
        ...common,
        API_AUTH_JWT_ENABLED: 'true',
        API_AUTH_ISSUER: issuer,
        API_AUTH_JWKS_URI: `${issuer}/jwks`,
        API_AUTH_AUDIENCE: AUDIENCE,
      },
      children,
    );
    const appKey = await createAppKey(keyed.url);
    const targets = [
      { name: 'bare Fastify, plain route', url: `${bare.url}/ok` },
      { name: 'app-key process, @Public() route', url: `${keyed.url}/bench/public` },
      {
        name: 'GET /api/v1/app with an app key',
        url: `${keyed.url}/api/v1/app`,
        headers: { authorization: `Bearer ${appKey}`, 'x-client-id': 'bench-user' },
        baseline: 1,
      },
      { name: 'JWT-mode process, @Public() route', url: `${jwtMode.url}/bench/public` },
      {
        name: 'GET /api/v1/app with a JWT (+ X-Voicebox-App-Key)',
        url: `${jwtMode.url}/api/v1/app`,
        headers: {
          authorization: `Bearer ${token}`,
          'x-voicebox-app-key': appKey,
          'x-client-id': 'bench-user',
        },
        baseline: 3,
      },
    ];
    const runs = targets.map(() => []);
    const measure = async (t, seconds) => {
      const r = await autocannon({
        url: t.url,
        headers: t.headers,
        connections,
        duration: seconds,
      });
      if (r.non2xx > 0 || r.errors > 0) {
        throw new Error(`${t.name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      }
      return r;
    };
    for (const t of targets) {
      const check = await fetch(t.url, { headers: t.headers });
      if (check.status !== 200) {
        throw new Error(`${t.name}: HTTP ${check.status} ${await check.text()}`);
      }
      await measure(t, 1); // warm-up: JIT, connection pools
    }
    for (let round = 0; round < rounds; round++) {
      for (const [i, t] of targets.entries()) runs[i].push(await measure(t, duration));
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const results = targets.map((t, i) => ({
      ...t,
      rps: median(runs[i].map((r) => r.requests.average)),
      p50: median(runs[i].map((r) => r.latency.p50)),
      p99: median(runs[i].map((r) => r.latency.p99)),
    }));
    const bareRps = results[0].rps;
    console.log(
      `\n${connections} connections, median of ${rounds} rounds of ${duration} s, Node ${process.version}`,
    );
    console.log(
      "| target | req/s | p50 ms | p99 ms | ratio to bare Fastify | ratio to the same process's unauthenticated route |",
    );
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const r of results) {
      const own = r.baseline === undefined ? '' : (r.rps / results[r.baseline].rps).toFixed(2);
      console.log(
        `| ${r.name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${(r.rps / bareRps).toFixed(2)} | ${own} |`,
      );
    }
    console.log(`JWKS fetches during the run: ${jwksFetches}`);
  } finally {
    for (const c of children) c.kill();
    jwks.close();
    await pg.stop();
    await rm(pgDir, { recursive: true, force: true });
  }
}

/** Creates an app and a key through the admin API, as an operator would. */
async function createAppKey(base) {
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
  const app = await fetch(`${base}/api/v1/admin/apps`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ name: 'bench', database: 'ck25' }),
  });
  if (app.status !== 201) throw new Error(`create app: HTTP ${app.status} ${await app.text()}`);
  const { id } = await app.json();
  const key = await fetch(`${base}/api/v1/admin/apps/${id}/keys`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ name: 'bench' }),
  });
  if (key.status !== 201) throw new Error(`create key: HTTP ${key.status} ${await key.text()}`);
  return (await key.json()).key;
}

/** Starts a server child; resolves with its URL once it listens. */
function start(mode, env, children) {
  // stdout a pipe drained here, as a container runtime drains a service's log.
  const child = fork(SELF, [mode], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  child.stdout.resume();
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, url: `http://127.0.0.1:${m.port}` }));
    child.once('exit', (code) => reject(new Error(`${mode} exited with ${code}`)));
  });
}

async function serveBare() {
  const { default: Fastify } = await import('fastify');
  const app = Fastify();
  app.get('/ok', async () => ({ ok: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  process.send({ port: app.server.address().port });
}

async function serveApp() {
  await import('reflect-metadata');
  const { Controller, Get, Module } = await import('@nestjs/common');
  const { loadConfig } = await dist('config/load-config.js');
  const { createApp } = await dist('bootstrap/create-app.js');
  const { createRootLogger } = await dist('observability/logger.factory.js');
  const { Public } = await dist('common/http/route-policy.decorators.js');

  // The unauthenticated baseline: a route of the same shape in the same process.
  class BenchController {
    open() {
      return { ok: true };
    }
  }
  Reflect.decorate(
    [Get('public'), Public()],
    BenchController.prototype,
    'open',
    Object.getOwnPropertyDescriptor(BenchController.prototype, 'open'),
  );
  Controller('bench')(BenchController);
  class BenchModule {}
  Module({ controllers: [BenchController] })(BenchModule);

  const config = loadConfig(process.env);
  const logger = createRootLogger({ ...config.logging, secretValues: config.secretValues });
  const app = await createApp(config, logger, { imports: [BenchModule] });
  await app.listen(0, '127.0.0.1');
  process.send({ port: app.getHttpServer().address().port });
}
