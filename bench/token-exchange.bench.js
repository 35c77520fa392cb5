/* global process, console, fetch, URL, performance */
// What token exchange costs a request (issue 18 item 9):
//
//   npm run bench:token-exchange                                        (builds, then runs this file)
//   VOICEBOX_BENCH_NODE="$(bash scripts/node24.sh)" npm run bench:token-exchange   (service on Node 24)
//
// 1. Throughput of an authenticated call whose exchanged token is cached, as a ratio to the same
//    call on the same build without exchange (target ≥ 0.9): POST generate-query (one LLM call, so
//    the exchange's share is the largest) and POST ask (two LLM calls, a SPARQL query), both in
//    public-API JWT mode with an app key, against an instant loopback model on the OpenAI wire.
//    The exchange service's cache counters are read from /metrics to show that every request took
//    the exchange path (a cache hit per request: the pipeline exchanges once, for all its LLM calls) and that the authorization server saw no new exchange.
// 2. A burst of new users: BENCH_BURST_USERS distinct user tokens (default 50) × BENCH_BURST_PER_USER
//    concurrent requests each (default 4), all sent at once; the authorization server counts the
//    exchanges (single flight: one per user) and the burst's duration and p99 are printed beside the
//    same burst against the service without exchange.
//
// Method, as bench/http.bench.js: each service is `node dist/main.js` in its own process pinned with
// taskset to one core, its stdout a pipe drained here; autocannon runs in its own process on the
// other core; the targets are measured in short interleaved rounds and each ratio is the median of
// the rounds' own ratios; server CPU per request comes from /proc. The authorization server is the
// tests' loopback oidc-provider (test/support/idp, Okta's token-exchange dialect), transpiled with
// TypeScript on start and run inside this process; the instant model is bench/http.bench.js's.
//
// Env: BENCH_DURATION (seconds per target and round, default 3), BENCH_ROUNDS (default 7),
// BENCH_CONNECTIONS (default 10), BENCH_SERVER_CPU / BENCH_LOAD_CPU (default 1 and 0),
// VOICEBOX_BENCH_NODE (the Node binary of the services), DATABASE_URL (else an embedded PostgreSQL).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  SERVER_NODE,
  autocannon,
  benchDatabaseUrl,
  createAppKey,
  cpuOf,
  fmtLoad,
  median,
  percentile,
  pinning,
  startService,
  versionOf,
} from './bench-kit.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MODEL_JS = join(ROOT, 'bench/http.bench.js');
const ADMIN_TOKEN = randomBytes(24).toString('hex');
const PUBLIC_API = 'https://voicebox.bench/api';
const LLM_GATEWAY = 'api://llm-gateway';
const LLM_SCOPE = 'llm.invoke';
const SERVICE_CLIENT = { id: 'voicebox-service', secret: randomBytes(24).toString('hex') };
const QUESTION = 'In which department is Ms. Brant?';

const duration = Number(process.env.BENCH_DURATION ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const burstUsers = Number(process.env.BENCH_BURST_USERS ?? 50);
const perUser = Number(process.env.BENCH_BURST_PER_USER ?? 4);
const pin = pinning();
const load = { start: loadavg() };
console.log(
  `Node ${await versionOf(SERVER_NODE)} (services), ${process.version} (load generator, IdP); ` +
    `${cpus().length} cores; ` +
    (pin
      ? `services on core ${pin.server}, autocannon on core ${pin.load} (taskset)`
      : 'no taskset: processes not pinned') +
    `; load average ${fmtLoad(load.start)}`,
);

const temp = await mkdtemp(join(tmpdir(), 'voicebox-exchange-bench-'));
const cleanups = [() => rm(temp, { recursive: true, force: true })];
const children = [];
try {
  const databaseUrl = await benchDatabaseUrl(join(temp, 'pg'), cleanups);

  const { TokenExchangeServer } = await loadIdp();
  const as = await TokenExchangeServer.start({
    resourceServers: [
      { audience: PUBLIC_API, scopes: ['voicebox:read'] },
      { audience: LLM_GATEWAY, scopes: [LLM_SCOPE] },
    ],
    clients: [{ ...SERVICE_CLIENT, allowed: { [LLM_GATEWAY]: [LLM_SCOPE] } }],
  });
  cleanups.push(() => as.close());

  const model = await startModel(children);
  const configFile = join(temp, 'voicebox.json');
  await writeFile(
    configFile,
    JSON.stringify({
      default_llm_config: { llm_provider: 'openai', llm_name: 'instant', server_url: model.url },
    }),
  );
  const jwtMode = {
    DATABASE_URL: databaseUrl,
    VOICEBOX_SECRET_KEY: randomBytes(32).toString('base64'),
    VOICEBOX_ADMIN_TOKEN: ADMIN_TOKEN,
    VBX_CONFIG_FILE: configFile,
    API_AUTH_JWT_ENABLED: 'true',
    API_AUTH_ISSUER: as.issuer,
    API_AUTH_JWKS_URI: as.idp.jwksUri,
    API_AUTH_AUDIENCE: PUBLIC_API,
  };
  // One after the other: the first one migrates the database.
  const plain = await startService(
    { ...jwtMode, OPENAI_API_KEY: 'sk-bench-instant' },
    { children, pin, watchGraph: true },
  );
  const exchange = await startService(
    {
      ...jwtMode,
      TOKEN_EXCHANGE_PROVIDER: 'okta',
      OKTA_DISCOVERY_URL: as.discoveryUrl,
      OKTA_CLIENT_ID: SERVICE_CLIENT.id,
      OKTA_CLIENT_SECRET: SERVICE_CLIENT.secret,
      OKTA_LLM_GATEWAY_AUDIENCE: LLM_GATEWAY,
      OKTA_LLM_GATEWAY_SCOPE: LLM_SCOPE,
      // The exchanged token is the model's only credential.
      OPENAI_API_KEY: '',
    },
    { children, pin, watchGraph: true },
  );
  const appKey = await createAppKey(plain.url, ADMIN_TOKEN, 'exchange-bench');
  const headersOf = (userToken, clientId) => ({
    authorization: `Bearer ${userToken}`,
    'x-voicebox-app-key': appKey,
    'x-client-id': clientId,
    'content-type': 'application/json',
  });
  const benchUser = headersOf(
    await as.issueUserToken('bench-user', PUBLIC_API, 'voicebox:read'),
    'bench-user',
  );
  const body = JSON.stringify({ query: QUESTION });
  const target = (name, svc, route) => ({
    name,
    svc,
    url: `${svc.url}/api/v1/voicebox/${route}`,
    method: 'POST',
    body,
    headers: benchUser,
  });
  const pairs = [
    [
      target('`generate-query`, no exchange', plain, 'generate-query'),
      target('`generate-query`, exchanged token cached', exchange, 'generate-query'),
    ],
    [
      target('`ask`, no exchange', plain, 'ask'),
      target('`ask`, exchanged token cached', exchange, 'ask'),
    ],
  ];
  const targets = pairs.flat();

  // Warm-up: the first request of each exchanges once; then JIT, schema and label index settle.
  for (const t of targets) {
    const res = await fetch(t.url, { method: t.method, headers: t.headers, body: t.body });
    if (res.status !== 200) throw new Error(`${t.name}: HTTP ${res.status} ${await res.text()}`);
    await autocannon(t, { duration: 2, connections }, pin);
  }
  const exchangesBefore = as.exchangesFor(LLM_GATEWAY).length;
  const hitsBefore = await cacheCount(exchange, 'hit');
  let exchangeRequests = 0;
  const runs = targets.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, t] of targets.entries()) {
      const cpu = cpuOf(t.svc.pid);
      const r = await autocannon(t, { duration, connections }, pin);
      r.cpuPerRequestUs = ((cpuOf(t.svc.pid) - cpu) * 1e6) / Math.max(1, r.requests.total);
      if (t.svc === exchange) exchangeRequests += r.requests.total;
      runs[i].push(r);
    }
    console.log(`round ${round + 1}/${rounds} done, load average ${fmtLoad(loadavg())}`);
  }
  load.rounds = loadavg();
  const hitsDuring = (await cacheCount(exchange, 'hit')) - hitsBefore;
  const exchangesDuring = as.exchangesFor(LLM_GATEWAY).length - exchangesBefore;

  // The burst: fresh users, each sending `perUser` requests at once, all users at once.
  const usersNamed = async (prefix) => {
    const tokens = [];
    for (let u = 0; u < burstUsers; u++) {
      tokens.push(await as.issueUserToken(`${prefix}-${u}`, PUBLIC_API, 'voicebox:read'));
    }
    return tokens;
  };
  // A first burst of other new users on each service, not counted: many connections and
  // concurrent pipelines at once are new to both processes after the rounds' 10 connections.
  const warmUsers = await usersNamed('warm-user');
  for (const svc of [plain, exchange]) await burst(svc, warmUsers, headersOf, body);
  // Two bursts per service, each of users new to both, the order swapped in the second pair.
  const bursts = [];
  for (const order of [
    [plain, exchange],
    [exchange, plain],
  ]) {
    const tokens = await usersNamed(`burst-${bursts.length}-user`);
    for (const svc of order) {
      const before = as.exchangesFor(LLM_GATEWAY).length;
      const timedBefore = await exchangeTime(svc);
      const b = await burst(svc, tokens, headersOf, body);
      const timedAfter = await exchangeTime(svc);
      bursts.push({
        svc,
        ...b,
        exchanges: as.exchangesFor(LLM_GATEWAY).length - before,
        meanExchangeMs:
          ((timedAfter.sum - timedBefore.sum) * 1000) /
          Math.max(1, timedAfter.count - timedBefore.count),
      });
    }
  }
  const lookup = await cachedLookupCost(benchUser.authorization.slice('Bearer '.length));
  load.end = loadavg();

  console.log(
    `\n${connections} connections, ${rounds} interleaved rounds of ${duration} s; req/s, latency and CPU: the median round; ratios: the median of the rounds' ratios (range)`,
  );
  console.log(
    '| call | req/s | p50 ms | p99 ms | ratio to no exchange | target | server CPU µs / request | ratio by CPU |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [base, cached] of pairs) {
    for (const t of [base, cached]) {
      const i = targets.indexOf(t);
      const b = targets.indexOf(base);
      const rps = median(runs[i].map((r) => r.requests.average));
      // A round where the baseline served nothing (a stall of the shared machine) has no ratio.
      const ratios = runs[i]
        .map((r, k) => r.requests.average / runs[b][k].requests.average)
        .filter(Number.isFinite);
      const cpuRatio = median(
        runs[i]
          .map((r, k) => runs[b][k].cpuPerRequestUs / r.cpuPerRequestUs)
          .filter(Number.isFinite),
      );
      const ratio = median(ratios);
      const goal = t === base ? '' : `≥ 0.90 ${ratio >= 0.9 ? 'met' : '**not met**'}`;
      console.log(
        `| ${t.name} | ${Math.round(rps)} | ${median(runs[i].map((r) => r.latency.p50))} | ${median(runs[i].map((r) => r.latency.p99))} | **${ratio.toFixed(2)}** (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}) | ${goal} | ${median(runs[i].map((r) => r.cpuPerRequestUs)).toFixed(0)} | ${cpuRatio.toFixed(2)} |`,
      );
    }
  }
  console.log(
    `\nduring the rounds the exchange service answered ${exchangeRequests} requests with ${hitsDuring} cache hits (llm_gateway) and the authorization server saw ${exchangesDuring} exchanges`,
  );
  console.log(
    `the exchange's own work per request on a cache hit, in this process: ${lookup.toFixed(1)} µs (the key's SHA-256 over the user's token, its exp decoded, the map lookup)`,
  );
  console.log(
    `\n| burst: ${burstUsers} new users × ${perUser} concurrent requests of generate-query | exchanges seen by the authorization server | all answered | duration ms | p50 ms | p99 ms | mean exchange ms (service's metric) |`,
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const b of bursts) {
    const exchanging = b.svc === exchange;
    console.log(
      `| ${exchanging ? 'with exchange' : 'no exchange'} | ${b.exchanges}${exchanging ? ` (expected ${burstUsers})` : ''} | ${b.ok}/${b.total} | ${b.ms.toFixed(0)} | ${b.p50.toFixed(0)} | ${b.p99.toFixed(0)} | ${exchanging ? b.meanExchangeMs.toFixed(0) : ''} |`,
    );
  }
  console.log(
    `\nload average (1, 5, 15 min): start ${fmtLoad(load.start)}; after the rounds ${fmtLoad(load.rounds)}; end ${fmtLoad(load.end)}`,
  );
} finally {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
}

/**
 * The tests' loopback authorization server, transpiled from TypeScript into node_modules/.cache so
 * that its imports (oidc-provider, jose) resolve from the project's node_modules.
 */
async function loadIdp() {
  const ts = (await import('typescript')).default;
  const out = join(ROOT, 'node_modules/.cache/voicebox-bench-idp');
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'package.json'), '{"type":"module"}');
  for (const name of ['loopback-idp', 'token-exchange-server']) {
    const source = await readFile(join(ROOT, `test/support/idp/${name}.ts`), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: false,
      },
    });
    await writeFile(join(out, `${name}.js`), outputText);
  }
  return import(join(out, 'token-exchange-server.js'));
}

/** Microseconds of one cache hit of the built TokenExchangeCache, as the service does it per call. */
async function cachedLookupCost(userToken) {
  const { TokenExchangeCache, jwtExpiryOf } = await import(
    new URL('../dist/token-exchange/token-exchange-cache.js', import.meta.url).href
  );
  const cache = new TokenExchangeCache({ maxEntries: 10_000, ttlMs: 3_600_000, expiryBufferMs: 0 });
  const exchanged = { accessToken: 'exchanged', expiresAt: Date.now() + 3_600_000 };
  const once = () =>
    cache.get(
      TokenExchangeCache.keyOf(userToken, LLM_GATEWAY, LLM_SCOPE),
      jwtExpiryOf(userToken),
      () => Promise.resolve(exchanged),
    );
  const n = 100_000;
  for (let i = 0; i < n / 10; i++) await once();
  const started = performance.now();
  for (let i = 0; i < n; i++) await once();
  return ((performance.now() - started) * 1000) / n;
}

/** `count` requests per user token, all at once; each request's latency, and the whole. */
async function burst(svc, tokens, headersOf, body) {
  const started = performance.now();
  const latencies = [];
  let ok = 0;
  await Promise.all(
    tokens.flatMap((token, u) =>
      Array.from({ length: perUser }, async (_, k) => {
        const t0 = performance.now();
        const res = await fetch(`${svc.url}/api/v1/voicebox/generate-query`, {
          method: 'POST',
          headers: headersOf(token, `burst-${u}-${k}`),
          body,
        });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (res.status === 200) ok++;
      }),
    ),
  );
  return {
    ms: performance.now() - started,
    ok,
    total: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** `voicebox_token_exchange_cache_total{hop="llm_gateway",result}` from the metrics port. */
async function cacheCount(svc, result) {
  const text = await (await fetch(`${svc.metricsUrl}/metrics`)).text();
  const m = new RegExp(
    `^voicebox_token_exchange_cache_total\\{hop="llm_gateway",result="${result}"\\} (\\d+)$`,
    'm',
  ).exec(text);
  return Number(m?.[1] ?? 0);
}

/** The sum (seconds) and count of the service's successful LLM-hop exchanges, from /metrics. */
async function exchangeTime(svc) {
  const text = await (await fetch(`${svc.metricsUrl}/metrics`)).text();
  const read = (suffix) =>
    Number(
      new RegExp(
        `^voicebox_token_exchange_duration_seconds_${suffix}\\{hop="llm_gateway",outcome="ok"\\} (\\S+)$`,
        'm',
      ).exec(text)?.[1] ?? 0,
    );
  return { sum: read('sum'), count: read('count') };
}

/** bench/http.bench.js's instant model on the OpenAI wire, unpinned, in its own process. */
function startModel() {
  const child = spawn(SERVER_NODE, [MODEL_JS, '--serve-model'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^listening (\S+)$/m.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`model exited with ${code}`)));
  });
}
