/* global process, console, fetch, URL, performance */
// Question answering over the knowledge graph, measured through the HTTP API.
//
//   npm run bench:plumbing    a scripted loopback model that answers each CK25 dev question with
//                             its gold SPARQL: every question must score set-F1 1.0 (exit 1 if not)
//   npm run bench:accuracy    the configured LLM (VBX_CONFIG_FILE and the provider's credential,
//                             as for the service): set-F1 per question and mean, LLM calls and
//                             tokens per question, p50/p95 latency
//   npm run bench:overhead    an instant loopback model: the time `ask` adds beyond the model's and
//                             the store's own time, p50 and p95 (target ≤ 5 ms at p50), with the
//                             service as production runs it (its own process and core, LOG_LEVEL
//                             at its default, logs to a pipe), read from its Server-Timing header
//
// Options (after `--`): --questions FILE (the CK25 questions-dev.yml format; default the shipped
// CK25 dev questions), --app NAME (ask an existing app of the database in DATABASE_URL instead of a
// fresh app over the embedded CK25 graph), --only ID[,ID…], --runs N (overhead; default 200).
//
// For plumbing and accuracy the service runs in this process (its real HTTP listener on loopback),
// so the gold queries run on exactly the app's graph through the same read-only gate. Scoring as
// the Text2SPARQL challenge does it: every value of every binding flattened into a set (ASK: true
// or false), then precision, recall and F1 against the gold query's own result on this store.
// Without DATABASE_URL an embedded PostgreSQL runs in a temporary folder. CK25 data: CC BY 4.0,
// eccenca GmbH (data/ck25/LICENSE).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  SERVER_NODE,
  benchDatabaseUrl,
  cpuOf,
  createAppKey,
  fmtLoad,
  percentile as pct,
  pinning,
  startService,
  versionOf,
} from './bench-kit.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dist = (p) => import(new URL(`../dist/${p}`, import.meta.url).href);

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    questions: { type: 'string', default: join(ROOT, 'data/ck25/questions-dev.yml') },
    app: { type: 'string' },
    only: { type: 'string' },
    runs: { type: 'string', default: '200' },
  },
});
const mode = positionals[0] ?? 'plumbing';
if (!['plumbing', 'accuracy', 'overhead'].includes(mode)) {
  console.error(`unknown mode ${mode}: plumbing | accuracy | overhead`);
  process.exit(2);
}

const YAML = (await import('yaml')).default;
const doc = YAML.parse(await readFile(opts.questions, 'utf8'));
const only = opts.only ? new Set(opts.only.split(',').map(Number)) : null;
const questions = doc.questions
  .map((q) => ({
    id: q.id,
    text: q.question.en ?? Object.values(q.question)[0],
    gold: q.query.sparql,
  }))
  .filter((q) => !only || only.has(q.id));

const temp = await mkdtemp(join(tmpdir(), 'voicebox-kgqa-'));
const cleanups = [() => rm(temp, { recursive: true, force: true })];
try {
  await run();
} finally {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
}

async function run() {
  if (mode === 'overhead') return overhead(questions[0], Number(opts.runs));
  const env = { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'ERROR', METRICS_PORT: '0' };
  if (mode !== 'accuracy') {
    const configFile = await scriptedModelConfig(mode === 'plumbing' ? goldByQuestion() : null);
    Object.assign(env, { VBX_CONFIG_FILE: configFile, OPENAI_API_KEY: 'sk-bench-scripted' });
  }
  if (!env.DATABASE_URL) {
    env.DATABASE_URL = await benchDatabaseUrl(join(temp, 'pg'), cleanups);
    env.VOICEBOX_SECRET_KEY ??= randomBytes(32).toString('base64');
  }

  const { loadConfig } = await dist('config/load-config.js');
  const { createApp } = await dist('bootstrap/create-app.js');
  const { createRootLogger } = await dist('observability/logger.factory.js');
  const { AppsService } = await dist('apps/apps.service.js');
  const { AppKeysService } = await dist('apps/app-keys.service.js');
  const { ConnectionsService } = await dist('apps/connections.service.js');
  const { KnowledgeGraphService } = await dist('knowledge-graph/knowledge-graph.service.js');
  const { kgTargetOf } = await dist('voicebox/app-kg-target.js');

  const config = loadConfig(env, ROOT);
  const logger = createRootLogger({ ...config.logging, secretValues: config.secretValues });
  const app = await createApp(config, logger);
  cleanups.push(() => app.close());
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${app.getHttpAdapter().getInstance().server.address().port}`;

  const apps = app.get(AppsService);
  const appRecord = opts.app
    ? await apps.find(opts.app)
    : await apps.create({ name: `kgqa-bench-${randomBytes(4).toString('hex')}`, database: 'ck25' });
  if (!opts.app) cleanups.push(() => apps.delete(appRecord.id));
  const keys = app.get(AppKeysService);
  const issued = await keys.issue(appRecord.id, `kgqa-bench-${Date.now()}`, null);
  cleanups.push(() => keys.revoke(appRecord.id, issued.key.id));
  const target = kgTargetOf(
    appRecord,
    await app.get(ConnectionsService).resolveForApp(appRecord.id),
  );
  const kg = app.get(KnowledgeGraphService);
  const resultSet = async (sparql) => {
    try {
      return flatten(await kg.query(target, sparql));
    } catch (err) {
      return { error: err.message ?? String(err) };
    }
  };
  const ask = async (question) => {
    const started = performance.now();
    const res = await fetch(`${base}/api/v1/voicebox/ask`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${issued.raw}`,
        'x-client-id': 'kgqa-bench',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ query: `${question} #debug` }),
    });
    const body = await res.json();
    return { status: res.status, body, ms: performance.now() - started };
  };

  const rows = [];
  for (const q of questions) {
    const gold = await resultSet(q.gold);
    const { status, body, ms } = await ask(q.text);
    const action = (type) => body.actions?.find((a) => a.type === type)?.value;
    const sparql = status === 200 ? action('sparql') : undefined;
    const got = sparql ? await resultSet(sparql) : { values: new Set() };
    const calls = action('debug_llm_calls') ?? [];
    rows.push({
      id: q.id,
      f1: gold.error ? null : setF1(got.values ?? new Set(), gold.values),
      status,
      ms,
      calls: calls.length,
      tokens: calls.reduce((n, c) => n + c.promptTokens + c.completionTokens, 0),
      note: gold.error
        ? `gold query fails here: ${gold.error}`
        : (got.error ?? (status !== 200 ? body.code : '')),
    });
  }
  report(rows);
  if (mode === 'plumbing' && rows.some((r) => r.f1 !== null && r.f1 < 1)) process.exitCode = 1;
}

/** Starts the scripted model (closed at the end) and writes the VBX_CONFIG_FILE naming it. */
async function scriptedModelConfig(gold) {
  const model = await scriptedModel(gold);
  cleanups.push(() => model.close());
  const configFile = join(temp, 'voicebox.json');
  await writeFile(
    configFile,
    JSON.stringify({
      default_llm_config: { llm_provider: 'openai', llm_name: 'scripted', server_url: model.url },
    }),
  );
  return configFile;
}

function goldByQuestion() {
  return new Map(questions.map((q) => [normalise(q.text), q.gold]));
}

function normalise(text) {
  return text.replace(/#\w+/g, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

/**
 * A loopback server speaking the OpenAI chat-completions wire. With `gold`, the SPARQL request for
 * a question is answered with that question's gold query; otherwise with a fixed small query. It
 * answers at once, so any time beyond it is the service's own.
 */
async function scriptedModel(gold) {
  // Each fixed query is a new text, as a model's would be: the gate's verdict for a text is cached,
  // and one text asked for again and again would measure only the cache.
  let queries = 0;
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const { messages, stream } = JSON.parse(raw);
      const system = messages.find((m) => m.role === 'system')?.content ?? '';
      const user = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
      let text = 'Here is what the graph holds.';
      if (/SPARQL/.test(system) && /translate a question/i.test(system)) {
        const question = messages.find((m) => m.role === 'user')?.content ?? '';
        const sparql =
          gold?.get(normalise(question)) ??
          `# query ${++queries}\nPREFIX pv: <http://ld.company.org/prod-vocab/>\nSELECT ?d ?name WHERE { ?d a pv:Department ; pv:name ?name } LIMIT 5`;
        text = '```sparql\n' + sparql.trim() + '\n```';
      } else if (/standalone question/i.test(system)) {
        text = user.split('Follow-up question:').pop().trim();
      }
      const usage = {
        prompt_tokens: Math.ceil(JSON.stringify(messages).length / 4),
        completion_tokens: Math.ceil(text.length / 4),
      };
      usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
      const id = `chatcmpl-${randomBytes(6).toString('hex')}`;
      const created = Math.floor(Date.now() / 1000);
      if (!stream) {
        const choice = {
          index: 0,
          message: { role: 'assistant', content: text },
          finish_reason: 'stop',
        };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id,
            object: 'chat.completion',
            created,
            model: 'scripted',
            choices: [choice],
            usage,
          }),
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (delta, finish, extra = {}) =>
        res.write(
          `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: 'scripted', choices: delta ? [{ index: 0, delta, finish_reason: finish }] : [], ...extra })}\n\n`,
        );
      chunk({ role: 'assistant', content: text }, null);
      chunk({}, 'stop');
      chunk(null, null, { usage });
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/v1`,
    close: () => new Promise((r) => server.close(r)),
  };
}

function flatten(result) {
  if (result.form === 'ASK') return { values: new Set([String(result.boolean)]) };
  const values = new Set();
  for (const b of result.results?.bindings ?? [])
    for (const v of Object.values(b)) values.add(v.value);
  return { values };
}

function setF1(got, gold) {
  if (gold.size === 0 && got.size === 0) return 1;
  let hit = 0;
  for (const v of got) if (gold.has(v)) hit++;
  if (hit === 0) return 0;
  const p = hit / got.size;
  const r = hit / gold.size;
  return (2 * p * r) / (p + r);
}

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

function report(rows) {
  console.log(`\n${mode}: ${rows.length} questions from ${opts.questions}\n`);
  console.log('| id | set-F1 | HTTP | LLM calls | tokens | latency ms | note |');
  console.log('| -- | ------ | ---- | --------- | ------ | ---------- | ---- |');
  for (const r of rows) {
    const f1 = r.f1 === null ? 'n/a' : r.f1.toFixed(2);
    console.log(
      `| ${r.id} | ${f1} | ${r.status} | ${r.calls} | ${r.tokens} | ${r.ms.toFixed(0)} | ${r.note} |`,
    );
  }
  const scored = rows.filter((r) => r.f1 !== null);
  const mean = scored.reduce((n, r) => n + r.f1, 0) / Math.max(1, scored.length);
  const perfect = scored.filter((r) => r.f1 === 1).length;
  const ms = rows.map((r) => r.ms);
  console.log(
    `\nmean set-F1 ${mean.toFixed(3)} over ${scored.length} scored questions (${perfect} at 1.0; ` +
      `${rows.length - scored.length} whose gold query fails on this store are not scored); ` +
      `LLM calls/question ${(rows.reduce((n, r) => n + r.calls, 0) / rows.length).toFixed(2)}, ` +
      `tokens/question ${Math.round(rows.reduce((n, r) => n + r.tokens, 0) / rows.length)}; ` +
      `latency p50 ${percentile(ms, 50).toFixed(0)} ms, p95 ${percentile(ms, 95).toFixed(0)} ms`,
  );
}

/**
 * Time `ask` adds beyond the model's and the store's own time, with the service as production runs
 * it: `node dist/main.js` in its own process at its default log level (`LOG_LEVEL=INFO`, every
 * access and audit line written to a pipe this process drains), pinned to its own core, while the
 * loopback model and the asking client share the other. Each answer's `Server-Timing` header says
 * what the LLM calls and the knowledge graph's queries took of the request; the rest is the
 * service's own. The client's wall time minus the same two is printed beside it: it adds the
 * client's HTTP stack and the loopback round trip. Then a few `#debug` asks say where the time
 * goes, step by step (not counted: `#debug` writes the prompts into the answer, which costs time).
 */
async function overhead(question, runs) {
  const pin = pinning();
  // The client and the model run here: keep them off the service's core.
  if (pin) spawnSync(pin.taskset, ['-p', '-c', pin.load, String(process.pid)]);
  const loadStart = loadavg();
  const children = [];
  cleanups.push(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  const configFile = await scriptedModelConfig(null);
  const adminToken = randomBytes(24).toString('hex');
  const env = {
    DATABASE_URL: await benchDatabaseUrl(join(temp, 'pg'), cleanups),
    VOICEBOX_SECRET_KEY: randomBytes(32).toString('base64'),
    VOICEBOX_ADMIN_TOKEN: adminToken,
    VBX_CONFIG_FILE: configFile,
    OPENAI_API_KEY: 'sk-bench-scripted',
    ...(process.env.LOG_LEVEL && { LOG_LEVEL: process.env.LOG_LEVEL }),
  };
  const service = await startService(env, { children, pin, watchGraph: true });
  const key = await createAppKey(service.url, adminToken, 'kgqa-overhead');
  const ask = async (text) => {
    const started = performance.now();
    const res = await fetch(`${service.url}/api/v1/voicebox/ask`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'x-client-id': 'kgqa-bench',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ query: text }),
    });
    const body = await res.json();
    const ms = performance.now() - started;
    if (res.status !== 200) throw new Error(`ask answered ${res.status}: ${JSON.stringify(body)}`);
    const timing = Object.fromEntries(
      (res.headers.get('server-timing') ?? '')
        .split(', ')
        .map((m) => [m.split(';')[0], Number(/dur=([\d.]+)/.exec(m)?.[1])]),
    );
    if (!(timing.total >= 0)) throw new Error('the answer has no Server-Timing header');
    return { body, ms, timing };
  };

  const warm = Math.min(20, Math.ceil(runs / 10));
  for (let i = 0; i < warm; i++) await ask(question.text);
  const service_ = [];
  const client = [];
  const walls = [];
  const totals = [];
  const logStart = service.logBytes();
  const cpuStart = cpuOf(service.pid);
  for (let i = 0; i < runs; i++) {
    const { ms, timing } = await ask(question.text);
    const outside = timing.llm + timing.kg;
    service_.push(timing.total - outside);
    client.push(ms - outside);
    walls.push(ms);
    totals.push(timing.total);
  }
  const cpuMs = ((cpuOf(service.pid) - cpuStart) * 1000) / runs;
  const logPerAsk = (service.logBytes() - logStart) / runs;

  const steps = new Map();
  const debugRuns = Math.min(30, runs);
  for (let i = 0; i < debugRuns; i++) {
    const { body, ms } = await ask(`${question.text} #debug`);
    const value = (type) => body.actions.find((a) => a.type === type)?.value;
    const llm = (value('debug_llm_calls') ?? []).reduce((n, c) => n + c.latencyMs, 0);
    const timings = value('debug_timings') ?? {};
    for (const [step, stepMs] of Object.entries({ ...timings, llm_total: llm, wall: ms })) {
      steps.set(step, [...(steps.get(step) ?? []), stepMs]);
    }
  }

  const p = (xs, n) => pct(xs, n).toFixed(2);
  console.log(
    `\noverhead: ${runs} asks of "${question.text}" (after ${warm} warm-up asks); service on Node ` +
      `${await versionOf(SERVER_NODE)}, LOG_LEVEL=${env.LOG_LEVEL ?? 'INFO (default)'}, ` +
      (pin
        ? `pinned to core ${pin.server}, model and client on core ${pin.load}`
        : 'no taskset: not pinned') +
      `; load average ${fmtLoad(loadStart)} → ${fmtLoad(loadavg())}`,
  );
  console.log(`wall time (client)   p50 ${p(walls, 50)} ms, p95 ${p(walls, 95)} ms`);
  console.log(
    `request (service)    p50 ${p(totals, 50)} ms, p95 ${p(totals, 95)} ms (Server-Timing total)`,
  );
  console.log(
    `service CPU per ask  ${cpuMs.toFixed(2)} ms (every thread of the service: HTTP, pipeline, embedded store); log ${Math.round(logPerAsk)} bytes per ask`,
  );
  console.log(
    `added by the service p50 ${p(service_, 50)} ms, p95 ${p(service_, 95)} ms (target ≤ 5 ms at p50): Server-Timing total − llm − kg`,
  );
  console.log(
    `  as the client sees it p50 ${p(client, 50)} ms, p95 ${p(client, 95)} ms: client wall − llm − kg (adds the client's HTTP stack and the loopback round trip)`,
  );
  // Where the time goes (each step's own p50, so they need not add up to the wall's).
  console.log(
    `step p50 ms (${debugRuns} #debug asks) ${[...steps].map(([step, xs]) => `${step} ${pct(xs, 50).toFixed(1)}`).join(', ')}`,
  );
}
