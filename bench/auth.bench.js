/* global process, console, fetch, URL */
// The cost of authentication: req/s of a JWT route and an app-key route against an unauthenticated
// route of the same app and against bare Fastify, all measured in one run.
//
//   npm run build && node bench/auth.bench.js
//
// Env: BENCH_DURATION (seconds per target and round, default 6), BENCH_CONNECTIONS (default 50),
// BENCH_ROUNDS (default 3). Targets are warmed up, then measured in interleaved rounds; the median
// of the rounds is reported, so a burst of load on a shared machine hits every target alike.
// Each server runs in its own child process; autocannon runs here, as in shared/notes/performance.md.
// The app-key route uses an in-memory AppKeyVerifier; the real one (PostgreSQL) adds its own cost.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const APP_KEY = 'sdc_bench_0123456789abcdefghij';
const AUDIENCE = 'https://voicebox.bench/api';

if (process.argv[2] === '--serve-bare') await serveBare();
else if (process.argv[2] === '--serve-app') await serveApp();
else await main();

async function main() {
  const autocannon = (await import('autocannon')).default;
  const { exportJWK, generateKeyPair, SignJWT } = await import('jose');
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

  const bare = await start('--serve-bare', {});
  const app = await start('--serve-app', {
    LOG_LEVEL: 'ERROR',
    JWT_ISSUER: issuer,
    JWT_JWKS_URI: `${issuer}/jwks`,
    JWT_AUDIENCE: AUDIENCE,
  });
  const targets = [
    { name: 'bare Fastify, plain route', url: `${bare.url}/ok` },
    { name: 'app, @Public() route', url: `${app.url}/bench/public` },
    {
      name: 'app, JWT route (@Scopes)',
      url: `${app.url}/bench/jwt`,
      headers: { authorization: `Bearer ${token}` },
    },
    {
      name: 'app, app-key route (@VoiceboxAuth)',
      url: `${app.url}/bench/app`,
      headers: { authorization: `Bearer ${APP_KEY}`, 'x-client-id': 'bench-user' },
    },
  ];
  const runs = targets.map(() => []);
  const measure = async (t, seconds) => {
    const r = await autocannon({ url: t.url, headers: t.headers, connections, duration: seconds });
    if (r.non2xx > 0 || r.errors > 0) {
      throw new Error(`${t.name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
    }
    return r;
  };
  try {
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
  } finally {
    bare.child.kill();
    app.child.kill();
    jwks.close();
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const results = targets.map((t, i) => ({
    ...t,
    rps: median(runs[i].map((r) => r.requests.average)),
    p50: median(runs[i].map((r) => r.latency.p50)),
    p99: median(runs[i].map((r) => r.latency.p99)),
  }));
  const [bareRps, publicRps] = [results[0].rps, results[1].rps];
  console.log(
    `\n${connections} connections, median of ${rounds} rounds of ${duration} s, Node ${process.version}`,
  );
  console.log(
    '| server | req/s | p50 ms | p99 ms | ratio to bare Fastify | ratio to @Public() route |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    console.log(
      `| ${r.name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${(r.rps / bareRps).toFixed(2)} | ${(r.rps / publicRps).toFixed(2)} |`,
    );
  }
  console.log(`JWKS fetches during the run: ${jwksFetches}`);
}

/** Starts a server child; resolves with its URL once it listens. */
function start(mode, env) {
  const child = fork(SELF, [mode], { env: { ...process.env, ...env }, stdio: 'inherit' });
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
  const { Controller, Get, Global, Module } = await import('@nestjs/common');
  const dist = (p) => import(new URL(`../dist/${p}`, import.meta.url).href);
  const { loadConfig } = await dist('config/load-config.js');
  const { createApp } = await dist('bootstrap/create-app.js');
  const { createRootLogger } = await dist('observability/logger.factory.js');
  const { Public, Scopes, VoiceboxAuth } = await dist('auth/auth.decorators.js');
  const { AppKeyVerifier } = await dist('auth/app-key-verifier.js');

  const appRef = {
    id: 'bench',
    name: 'bench',
    connectionId: null,
    database: 'got',
    model: null,
    namedGraphs: [],
    reasoning: false,
  };
  class MemoryAppKeys extends AppKeyVerifier {
    verify(raw) {
      return Promise.resolve(raw === APP_KEY ? { keyId: 'k1', app: appRef } : null);
    }
  }
  class BenchController {
    open() {
      return { ok: true };
    }
    jwt() {
      return { ok: true };
    }
    app() {
      return { ok: true };
    }
  }
  const route = (name, ...decorators) =>
    Reflect.decorate(
      decorators,
      BenchController.prototype,
      name,
      Object.getOwnPropertyDescriptor(BenchController.prototype, name),
    );
  route('open', Get('public'), Public());
  route('jwt', Get('jwt'), Scopes('voicebox:read'));
  route('app', Get('app'), VoiceboxAuth());
  Controller('bench')(BenchController);
  class BenchModule {}
  Global()(BenchModule);
  Module({
    controllers: [BenchController],
    providers: [{ provide: AppKeyVerifier, useValue: new MemoryAppKeys() }],
    exports: [AppKeyVerifier],
  })(BenchModule);

  const config = loadConfig(process.env);
  const logger = createRootLogger({ ...config.logging, secretValues: config.secretValues });
  const app = await createApp(config, logger, { imports: [BenchModule] });
  await app.listen(0, '127.0.0.1');
  process.send({ port: app.getHttpServer().address().port });
}
