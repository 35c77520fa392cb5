import { Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { KgRequestContext, KgTarget } from '../../knowledge-graph/kg-connection.js';
import { KnowledgeGraphService } from '../../knowledge-graph/knowledge-graph.service.js';
import type { GraphSchema } from '../../knowledge-graph/schema/graph-schema.js';
import { InjectLogger } from '../../observability/root-logger.js';
import { EntityLinker, type EntityLinkQuery, type LinkedEntity } from './entity-linker.js';
import {
  META_CLASSES,
  MAX_NAME_ROWS,
  MAX_OBJECT_ROWS,
  MAX_TYPE_ROWS,
  OBJECTS_QUERY,
  TYPES_QUERY,
  nameProperties,
  nameRows,
  namesQuery,
  schemaTerms,
  typeMap,
} from './graph-names.js';
import { LabelIndex, type NameRow } from './label-index.js';
import {
  MAX_SEARCH_ROWS,
  luceneQuery,
  probeWord,
  searchHits,
  TEXT_MATCH,
  textSearchQuery,
} from './stardog-text-search.js';

const DEFAULT_LIMIT = 10;

/** How a graph is searched: the store's own full-text index, or a label index built from it. */
type Grounding =
  { kind: 'search'; exclude: ReadonlySet<string> } | { kind: 'index'; index: LabelIndex };

/**
 * Finds the resources a question names. On a Stardog database with full-text search, the store's
 * search finds the candidates; elsewhere an index of the graph's names is built once per schema
 * (labels, name and identifier properties, decoded IRI local names) and searched in memory. Either
 * way the same scorer ranks them, so "Ms. Brant", "brandt" and "Karen" all find Karen Brant.
 *
 * The grounding is keyed by the cached schema object: when the schema cache reloads (TTL, refresh,
 * another credential), the next question builds a fresh index, and an old one is collected with it.
 */
@Injectable()
export class GraphEntityLinker extends EntityLinker {
  private readonly groundings = new WeakMap<GraphSchema, Promise<Grounding>>();

  constructor(
    private readonly kg: KnowledgeGraphService,
    @InjectLogger() private readonly log: Logger,
  ) {
    super();
  }

  async link(q: EntityLinkQuery): Promise<LinkedEntity[]> {
    const limit = q.limit ?? DEFAULT_LIMIT;
    const schema = await this.kg.schema(q.target, q.ctx);
    const grounding = await this.groundingOf(schema, q.target, q.ctx);
    if (grounding.kind === 'index') return grounding.index.search(q.question, limit);
    const lucene = luceneQuery(q.question);
    if (!lucene) return [];
    const rows = await this.kg.select(q.target, textSearchQuery(lucene), q.ctx, MAX_SEARCH_ROWS);
    const hits = searchHits(rows);
    const iris: NameRow[] = [...hits.types.keys()].map((iri) => ({
      iri,
      text: iri,
      source: 'iri',
    }));
    return LabelIndex.build([...hits.names, ...iris], hits.types, {
      exclude: grounding.exclude,
    }).search(q.question, limit);
  }

  private groundingOf(
    schema: GraphSchema,
    target: KgTarget,
    ctx: KgRequestContext,
  ): Promise<Grounding> {
    let pending = this.groundings.get(schema);
    if (!pending) {
      pending = this.ground(schema, target, ctx);
      pending.catch(() => this.groundings.delete(schema));
      this.groundings.set(schema, pending);
    }
    return pending;
  }

  private async ground(
    schema: GraphSchema,
    target: KgTarget,
    ctx: KgRequestContext,
  ): Promise<Grounding> {
    const exclude = schemaTerms(schema);
    if (target.connection.kind === 'stardog' && (await this.hasTextSearch(schema, target, ctx))) {
      return { kind: 'search', exclude };
    }
    const started = performance.now();
    const [names, types, objects] = await Promise.all([
      this.kg.select(target, namesQuery(nameProperties(schema)), ctx, MAX_NAME_ROWS),
      this.kg.select(target, TYPES_QUERY, ctx, MAX_TYPE_ROWS),
      this.kg.select(target, OBJECTS_QUERY, ctx, MAX_OBJECT_ROWS),
    ]);
    const typesOf = typeMap(types);
    // Members of vocabulary classes (datatypes, ontology headers) are vocabulary, not data.
    const meta = new Set(META_CLASSES);
    for (const [iri, ts] of typesOf) if (ts.some((t) => meta.has(t))) exclude.add(iri);
    const rows = function* (): Generator<NameRow> {
      yield* nameRows(names);
      for (const iri of typesOf.keys()) yield { iri, text: iri, source: 'iri' };
      for (const r of objects) if (r.o) yield { iri: r.o.value, text: r.o.value, source: 'iri' };
    };
    const index = LabelIndex.build(rows(), typesOf, { exclude });
    this.log.info(
      {
        connection: target.connection.id,
        names: index.size,
        resources: index.resourceCount,
        elapsedMs: Math.round(performance.now() - started),
      },
      'entity label index built',
    );
    return { kind: 'index', index };
  }

  /**
   * A Stardog database answers the search predicate only when `search.enabled` is set. Probing with
   * a word of a label the schema declares tells the two apart: an error, or no hit for a word the
   * graph is known to hold, means no search index.
   */
  private async hasTextSearch(
    schema: GraphSchema,
    target: KgTarget,
    ctx: KgRequestContext,
  ): Promise<boolean> {
    const word = probeWord(schema);
    if (!word) return false;
    try {
      const rows = await this.kg.select(target, textSearchQuery(word, 1), ctx, 1);
      return rows.length > 0;
    } catch (err) {
      this.log.info(
        { connection: target.connection.id, err: (err as Error).message },
        `no full-text search (${TEXT_MATCH}) on this database; building a label index`,
      );
      return false;
    }
  }
}
