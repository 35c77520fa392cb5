import { Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { Histogram } from 'prom-client';
import { DomainError } from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { MetricsRegistry } from '../observability/metrics.registry.js';
import { InjectLogger } from '../observability/root-logger.js';
import { SpanKind, Tracing } from '../observability/tracing.js';
import type { KgRequestContext, KgTarget } from './kg-connection.js';
import type { KgQueryResult } from './kg-query-result.js';
import type { GraphSchema } from './schema/graph-schema.js';
import { SchemaCache } from './schema/schema-cache.js';
import { SchemaExtractor } from './schema/schema-extractor.js';
import { SparqlReadOnlyGate, type GatedQuery } from './sparql-read-only-gate.js';
import { credentialIdentity } from './stores/credentials.js';
import { SparqlStoreRegistry } from './stores/sparql-store-registry.js';
import type { SparqlBinding, SparqlStore } from './stores/sparql-store.js';

/** Schema queries carry their own LIMITs (up to 20,000 rows), independent of the answer cap. */
const SCHEMA_MAX_ROWS = 20_000;

/**
 * The knowledge graph as the rest of the service sees it: every query passes the read-only gate and
 * the limits before any store is contacted; schemas are cached per dataset and credential.
 */
@Injectable()
export class KnowledgeGraphService {
  private readonly gate: SparqlReadOnlyGate;
  private readonly schemaGate: SparqlReadOnlyGate;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly maxResults: number;
  private readonly duration: Histogram<'store' | 'outcome'>;

  constructor(
    config: AppConfig,
    private readonly stores: SparqlStoreRegistry,
    private readonly schemas: SchemaCache,
    @InjectLogger() private readonly log: Logger,
    metrics: MetricsRegistry,
    private readonly tracing: Tracing,
  ) {
    this.duration = new Histogram({
      name: 'voicebox_kg_query_duration_seconds',
      help: 'Knowledge-graph query time in seconds, by store kind and outcome (ok or error code)',
      labelNames: ['store', 'outcome'],
      buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [metrics.registry],
    });
    this.maxResults = config.query.maxResults;
    this.timeoutMs = config.query.execTimeoutSeconds * 1000;
    this.maxResponseBytes = config.query.maxResponseBytes;
    const serviceAllowlist = config.knowledgeGraph.serviceAllowlist;
    this.gate = new SparqlReadOnlyGate({ serviceAllowlist, maxResults: this.maxResults });
    this.schemaGate = new SparqlReadOnlyGate({ serviceAllowlist: [], maxResults: SCHEMA_MAX_ROWS });
  }

  query(target: KgTarget, sparql: string, ctx: KgRequestContext = {}): Promise<KgQueryResult> {
    return this.run(this.gate, this.maxResults, target, sparql, ctx);
  }

  /**
   * A SELECT the service itself sends to ground a question (label index, full-text search): the
   * read-only gate without SERVICE, its own row cap instead of the answer cap, the rows only.
   */
  async select(
    target: KgTarget,
    sparql: string,
    ctx: KgRequestContext = {},
    maxRows = SCHEMA_MAX_ROWS,
  ): Promise<SparqlBinding[]> {
    const gate = new SparqlReadOnlyGate({ serviceAllowlist: [], maxResults: maxRows });
    // Sent as written, once the gate has passed it: these are the service's own templates, not a
    // model's text, and regeneration would expand Stardog's list-subject property functions
    // (`(?l ?score) textMatch 'q'`) into rdf:first/rest triples the store no longer recognises.
    const r = await this.run(gate, maxRows, target, sparql, ctx, { asWritten: true });
    return r.form === 'SELECT' ? r.results.bindings : [];
  }

  schema(
    target: KgTarget,
    ctx: KgRequestContext = {},
    opts: { refresh?: boolean } = {},
  ): Promise<GraphSchema> {
    const key = {
      connectionId: target.connection.id,
      endpoint: target.connection.internalEndpoint ?? target.connection.endpoint,
      database: target.database,
      model: target.model,
      namedGraphs: target.namedGraphs,
      reasoning: target.reasoning,
      credentialIdentity: credentialIdentity(target.connection, ctx),
    };
    // The extraction may be shared with other callers of the same key: it runs on the cache's
    // signal (aborted when every waiter has gone), never on this caller's.
    const load = (signal: AbortSignal) => {
      const shared: KgRequestContext = { ...ctx, signal };
      const select = async (sparql: string): Promise<SparqlBinding[]> => {
        const r = await this.run(this.schemaGate, SCHEMA_MAX_ROWS, target, sparql, shared);
        return r.form === 'SELECT' ? r.results.bindings : [];
      };
      return new SchemaExtractor(select).extract();
    };
    return this.schemas.get(key, load, { ...opts, signal: ctx.signal });
  }

  private async run(
    gate: SparqlReadOnlyGate,
    max: number,
    target: KgTarget,
    sparql: string,
    ctx: KgRequestContext,
    opts: { asWritten?: boolean } = {},
  ): Promise<KgQueryResult> {
    const gated = await gate.checkBounded(sparql, ctx.signal);
    const store = this.stores.get(target.connection.kind);
    const attributes = {
      'db.system.name': store.kind,
      'db.operation.name': gated.form,
      ...(target.database ? { 'db.namespace': target.database } : {}),
    };
    return this.tracing.inSpan(
      `sparql ${gated.form}`,
      attributes,
      async (span) => {
        const result = await this.execute(store, max, target, sparql, gated, ctx, opts);
        if (result.form === 'SELECT') {
          span.setAttribute('db.response.returned_rows', result.results.bindings.length);
        }
        return result;
      },
      SpanKind.CLIENT,
    );
  }

  private async execute(
    store: SparqlStore,
    max: number,
    target: KgTarget,
    sparql: string,
    gated: GatedQuery,
    ctx: KgRequestContext,
    opts: { asWritten?: boolean },
  ): Promise<KgQueryResult> {
    const started = performance.now();
    const observe = (outcome: string) => {
      const ms = performance.now() - started;
      this.duration.observe({ store: store.kind, outcome }, ms / 1000);
      ctx.onStoreTime?.(ms);
    };
    const result = await store
      .execute({
        target,
        sparql: opts.asWritten ? sparql : gated.sparql,
        form: gated.form,
        timeoutMs: this.timeoutMs,
        maxResponseBytes: this.maxResponseBytes,
        ctx,
      })
      .catch((err: unknown) => {
        observe(err instanceof DomainError ? err.code : 'error');
        throw err;
      });
    observe('ok');
    const elapsedMs = Math.round(performance.now() - started);
    this.log.debug(
      { connection: target.connection.id, form: gated.form, elapsedMs, user: ctx.requestUser },
      'knowledge graph query',
    );
    const base = { sparql: gated.sparql, elapsedMs };
    switch (result.kind) {
      case 'boolean':
        return { ...base, form: 'ASK', head: {}, boolean: result.value, truncated: false };
      case 'bindings': {
        const truncated = result.bindings.length > max;
        return {
          ...base,
          form: 'SELECT',
          head: { vars: result.vars },
          results: { bindings: truncated ? result.bindings.slice(0, max) : result.bindings },
          truncated,
        };
      }
      case 'graph': {
        const form = gated.form === 'DESCRIBE' ? 'DESCRIBE' : 'CONSTRUCT';
        const { text, truncated } = cutTriples(result.text, result.contentType, max);
        return { ...base, form, text, contentType: result.contentType, truncated };
      }
    }
  }
}

/** N-Triples is one triple a line, so it can be cut; other syntaxes are left whole (LIMIT applies). */
function cutTriples(text: string, contentType: string, max: number) {
  if (contentType !== 'application/n-triples' && contentType !== 'text/plain') {
    return { text, truncated: false };
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  if (lines.length <= max) return { text, truncated: false };
  return { text: lines.slice(0, max).join('\n') + '\n', truncated: true };
}
