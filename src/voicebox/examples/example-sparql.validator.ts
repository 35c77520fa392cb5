import { Injectable } from '@nestjs/common';
import type { AppRecord } from '../../apps/app.types.js';
import { ConnectionsService } from '../../apps/connections.service.js';
import { RequestValidationError } from '../../common/errors/domain-error.js';
import { AppConfig } from '../../config/app-config.js';
import type { KgRequestContext, KgTarget } from '../../knowledge-graph/kg-connection.js';
import { KnowledgeGraphService } from '../../knowledge-graph/knowledge-graph.service.js';
import { SparqlReadOnlyGate } from '../../knowledge-graph/sparql-read-only-gate.js';
import { kgTargetOf } from '../app-kg-target.js';
import { GraphVocabulary } from '../validation/graph-vocabulary.js';
import { instanceLookupQuery } from '../validation/instance-lookup.js';
import { SparqlValidator } from '../validation/sparql-validator.js';

interface Checker {
  target: KgTarget;
  validator: SparqlValidator;
}

/**
 * Checks an example's SPARQL against its app's graph before it is stored, with the validator the
 * pipeline uses on the model's queries (syntax, read-only gate, the graph's classes and properties,
 * every instance IRI present): a stored query is answered without a model, so it must be one the
 * pipeline would have run. Resolves to the query as it will be stored (missing PREFIXes declared).
 */
@Injectable()
export class ExampleSparqlValidator {
  private readonly gate: SparqlReadOnlyGate;

  constructor(
    config: AppConfig,
    private readonly connections: ConnectionsService,
    private readonly kg: KnowledgeGraphService,
  ) {
    this.gate = new SparqlReadOnlyGate({
      serviceAllowlist: config.knowledgeGraph.serviceAllowlist,
      maxResults: config.query.maxResults,
    });
  }

  /** `field` names the input in the 400 (`sparql`, or `examples[3].sparql` in an import). */
  async check(
    app: AppRecord,
    sparql: string,
    field = 'sparql',
    kgCtx: KgRequestContext = {},
  ): Promise<string> {
    return this.checkWith(await this.checkerFor(app, kgCtx), sparql, field, kgCtx);
  }

  /** Several queries of one app: the schema is fetched once. Every problem of every query is named. */
  async checkAll(
    app: AppRecord,
    items: Array<{ sparql: string; field: string; question?: string }>,
    kgCtx: KgRequestContext = {},
  ): Promise<string[]> {
    const checker = await this.checkerFor(app, kgCtx);
    const out: string[] = [];
    const problems: RequestValidationError['problems'] = [];
    for (const item of items) {
      try {
        out.push(await this.checkWith(checker, item.sparql, item.field, kgCtx, item.question));
      } catch (err) {
        if (!(err instanceof RequestValidationError)) throw err;
        problems.push(...err.problems);
      }
    }
    if (problems.length) throw new RequestValidationError(problems);
    return out;
  }

  private async checkerFor(app: AppRecord, kgCtx: KgRequestContext): Promise<Checker> {
    const target = kgTargetOf(app, await this.connections.resolveForApp(app.id));
    const schema = await this.kg.schema(target, kgCtx);
    return {
      target,
      validator: new SparqlValidator(GraphVocabulary.fromSchema(schema), { gate: this.gate }),
    };
  }

  private async checkWith(
    { validator, target }: Checker,
    sparql: string,
    field: string,
    kgCtx: KgRequestContext,
    question?: string,
  ): Promise<string> {
    const result = await validator.validateAll(sparql, async (iris) => {
      const found = await this.kg.query(target, instanceLookupQuery(iris), kgCtx);
      if (found.form !== 'SELECT') return new Set<string>();
      return new Set(found.results.bindings.map((b) => b.x?.value).filter((v) => v !== undefined));
    });
    if (result.problems.length) {
      throw new RequestValidationError(
        result.problems.map((p) => ({
          field,
          reason: `is not a valid query${question ? ` for “${question.trim()}”` : ''}: ${p.message}`,
        })),
      );
    }
    return result.sparql;
  }
}
