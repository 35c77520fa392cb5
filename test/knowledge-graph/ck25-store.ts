import pino from 'pino';
import { DEMO_TARGET } from '../../src/knowledge-graph/demo-target.js';
import { ck25Sources } from '../../src/knowledge-graph/embedded/embedded-sources.js';
import { EmbeddedStore } from '../../src/knowledge-graph/embedded/embedded-store.js';
import type { GraphSchema } from '../../src/knowledge-graph/schema/graph-schema.js';
import { SchemaExtractor } from '../../src/knowledge-graph/schema/schema-extractor.js';
import { SparqlReadOnlyGate } from '../../src/knowledge-graph/sparql-read-only-gate.js';
import type { SparqlBinding } from '../../src/knowledge-graph/stores/sparql-store.js';
import { CK25_DATA_DIR } from './ck25-gold.js';

/** What `valueSet` scores: a SELECT's bindings or an ASK's boolean. */
export interface Ck25Result {
  form: string;
  boolean?: boolean;
  results?: { bindings: SparqlBinding[] };
}

export interface Ck25Store {
  /** Runs a query through the read-only gate on the embedded store (CONSTRUCT/DESCRIBE: no rows). */
  query(sparql: string, timeoutMs?: number): Promise<Ck25Result>;
  /** The schema as the service extracts it. */
  schema(): Promise<GraphSchema>;
  close(): Promise<void>;
}

/**
 * The embedded oxigraph store loaded with CK25, without the application around it: for tests and
 * benchmarks of the parts that only need the graph (the validator, scoring). ~1 s to open.
 */
export async function openCk25Store(): Promise<Ck25Store> {
  const store = new EmbeddedStore(
    { sources: ck25Sources(CK25_DATA_DIR) },
    pino({ level: 'silent' }),
  );
  await store.start();
  const gate = new SparqlReadOnlyGate({ serviceAllowlist: [], maxResults: 100_000 });
  const query = async (sparql: string, timeoutMs = 10_000): Promise<Ck25Result> => {
    const gated = gate.check(sparql);
    const r = await store.execute({
      target: DEMO_TARGET,
      sparql: gated.sparql,
      form: gated.form,
      timeoutMs,
      maxResponseBytes: 64 * 1_048_576,
      ctx: {},
    });
    if (r.kind === 'boolean') return { form: 'ASK', boolean: r.value };
    if (r.kind === 'bindings') return { form: 'SELECT', results: { bindings: r.bindings } };
    return { form: gated.form, results: { bindings: [] } };
  };
  const select = async (sparql: string) => (await query(sparql)).results?.bindings ?? [];
  return {
    query,
    schema: () => new SchemaExtractor(select).extract(),
    close: () => store.close(),
  };
}
