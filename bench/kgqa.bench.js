/* global process, console, fetch, URL, performance */
// Question answering over the knowledge graph, measured through the HTTP API.
//
//   npm run bench:plumbing    a scripted loopback model that answers each CK25 dev question with
//                             its gold SPARQL: every question must score set-F1 1.0 (exit 1 if not)
//   npm run bench:accuracy    the configured LLM (VBX_CONFIG_FILE and the provider's credential,
//                             as for the service): set-F1 per question and mean, LLM calls and
//                             tokens per question, p50/p95 latency
//   npm run bench:overhead    an instant loopback model: the time `ask` adds beyond the model's and
//                             the store's own time, p50 and p95 (target ≤ 5 ms at p50)
//
// Options (after `--`): --questions FILE (the CK25 questions-dev.yml format; default the shipped
// CK25 dev questions), --app NAME (ask an existing app of the database in DATABASE_URL instead of a
// fresh app over the embedded CK25 graph), --only ID[,ID…], --runs N (overhead; default 200).
//
// The service runs in this process (its real HTTP listener on loopback), so the gold queries run on
// exactly the app's graph through the same read-only gate. Scoring as the Text2SPARQL challenge
// does it: every value of every binding flattened into a set (ASK: true or
// false), then precision, recall and F1 against the gold query's own result on this store.
// Without DATABASE_URL an embedded PostgreSQL runs in a temporary folder. CK25 data: CC BY 4.0,
// eccenca GmbH (data/ck25/LICENSE).
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

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
  const env = { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'ERROR', METRICS_PORT: '0' };
  if (mode !== 'accuracy') {
    const model = await scriptedModel(mode === 'plumbing' ? goldByQuestion() : null);
    cleanups.push(() => model.close());
    const configFile = join(temp, 'voicebox.json');
    await writeFile(
      configFile,
      JSON.stringify({
        default_llm_config: { llm_provider: 'openai', llm_name: 'scripted', server_url: model.url },
      }),
    );
    Object.assign(env, { VBX_CONFIG_FILE: configFile, OPENAI_API_KEY: 'sk-bench-scripted' });
  }
  if (!env.DATABASE_URL) {
    const pino = (await import('pino')).default;
    const { startEmbeddedPostgres } = await dist('database/embedded-postgres.server.js');
    const pg = await startEmbeddedPostgres({
      dir: join(temp, 'pg'),
      logger: pino({ level: 'silent' }),
      ephemeral: true,
    });
    cleanups.push(() => pg.stop());
    env.DATABASE_URL = pg.url;
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

  if (mode === 'overhead') return overhead(ask, questions[0], Number(opts.runs));

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
 * Time `ask` adds beyond the model's and the store's own time: each turn's wall time minus the LLM
 * calls' latencies and the query-execution step (the store), from the `#debug` trace.
 */
async function overhead(ask, question, runs) {
  const warm = Math.min(20, Math.ceil(runs / 10));
  const added = [];
  const walls = [];
  const steps = new Map();
  let cpuStart;
  for (let i = 0; i < warm + runs; i++) {
    if (i === warm) cpuStart = process.cpuUsage();
    const { status, body, ms } = await ask(question.text);
    if (status !== 200) throw new Error(`ask answered ${status}: ${JSON.stringify(body)}`);
    if (i < warm) continue;
    const value = (type) => body.actions.find((a) => a.type === type)?.value;
    const llm = (value('debug_llm_calls') ?? []).reduce((n, c) => n + c.latencyMs, 0);
    // Every store query of the turn (schema, validation lookups, the answer's query).
    const timings = value('debug_timings') ?? {};
    const store = timings.store_total ?? timings.execute_query ?? 0;
    walls.push(ms);
    added.push(ms - llm - store);
    for (const [step, stepMs] of Object.entries({ ...timings, llm_total: llm, wall: ms })) {
      steps.set(step, [...(steps.get(step) ?? []), stepMs]);
    }
  }
  console.log(`\noverhead: ${runs} asks of "${question.text}" (after ${warm} warm-up asks)`);
  console.log(
    `wall time          p50 ${percentile(walls, 50).toFixed(2)} ms, p95 ${percentile(walls, 95).toFixed(2)} ms`,
  );
  // CPU time does not grow when other processes crowd the machine, wall time does: on a loaded
  // machine the CPU figure is the steadier one. It is an upper bound of the service's own work: the
  // process also holds the loopback model, the bench client and the embedded store's worker thread.
  const cpu = process.cpuUsage(cpuStart);
  console.log(
    `CPU per ask        ${((cpu.user + cpu.system) / 1000 / runs).toFixed(2)} ms (this process, every thread: service, embedded store, loopback model, client)`,
  );
  console.log(
    `added by the service p50 ${percentile(added, 50).toFixed(2)} ms, p95 ${percentile(added, 95).toFixed(2)} ms (target ≤ 5 ms at p50)`,
  );
  // Where the wall time goes (each step's own p50, so they need not add up to the wall's).
  console.log(
    `step p50 ms        ${[...steps].map(([step, xs]) => `${step} ${percentile(xs, 50).toFixed(1)}`).join(', ')}`,
  );
}
