import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { KnowledgeGraphService } from '../../knowledge-graph/knowledge-graph.service.js';
import type { GraphSchema } from '../../knowledge-graph/schema/graph-schema.js';
import { SparqlReadOnlyGate } from '../../knowledge-graph/sparql-read-only-gate.js';
import { GraphVocabulary } from '../validation/graph-vocabulary.js';
import { instanceLookupQuery } from '../validation/instance-lookup.js';
import { SparqlValidator, type ValidationProblem } from '../validation/sparql-validator.js';
import type { TurnContext } from './turn-context.js';

export interface ValidatedQuery {
  /** The query, mended where that needs no model (missing PREFIXes, `@` in IRIs). */
  sparql: string;
  problems: ValidationProblem[];
  /** An update: refused outright, never repaired and never run. */
  refused: boolean;
  /** What was mended, in plain words. */
  repairs: string[];
}

/**
 * Checks the model's query before it may run (SparqlValidator): it parses (missing PREFIXes are
 * declared), is read-only, every class and property it names is in the graph's vocabulary, and
 * every instance IRI exists in the graph (one lookup query). The read-only gate inside
 * KnowledgeGraphService.query stays the last check before the store.
 */
@Injectable()
export class ValidateSparqlStep {
  private readonly gate: SparqlReadOnlyGate;
  /** One validator per extracted schema (schemas are cached objects; a new extraction replaces it). */
  private readonly validators = new WeakMap<GraphSchema, SparqlValidator>();

  constructor(
    config: AppConfig,
    private readonly kg: KnowledgeGraphService,
  ) {
    this.gate = new SparqlReadOnlyGate({
      serviceAllowlist: config.knowledgeGraph.serviceAllowlist,
      maxResults: config.query.maxResults,
    });
  }

  async run(ctx: TurnContext, sparql: string, schema: GraphSchema): Promise<ValidatedQuery> {
    // The validator parses on this thread: a text too big, deep or slow for that is sent back first.
    const tooComplex = await this.gate.complexityProblem(sparql, ctx.kg.signal);
    if (tooComplex) {
      return {
        sparql,
        problems: [{ kind: 'syntax', message: tooComplex }],
        refused: false,
        repairs: [],
      };
    }
    const result = await this.validatorFor(schema).validateAll(sparql, async (iris) => {
      const found = await this.kg.query(ctx.target, instanceLookupQuery(iris), ctx.kg);
      if (found.form !== 'SELECT') return new Set<string>();
      return new Set(found.results.bindings.map((b) => b.x?.value).filter((v) => v !== undefined));
    });
    if (result.repairs.length) {
      ctx.trace.grounding.repairs = [
        ...((ctx.trace.grounding.repairs as string[]) ?? []),
        ...result.repairs,
      ];
    }
    const refused = result.problems.some((p) => p.kind === 'not_read_only');
    return { sparql: result.sparql, problems: result.problems, refused, repairs: result.repairs };
  }

  private validatorFor(schema: GraphSchema): SparqlValidator {
    let v = this.validators.get(schema);
    if (!v) {
      v = new SparqlValidator(GraphVocabulary.fromSchema(schema), { gate: this.gate });
      this.validators.set(schema, v);
    }
    return v;
  }
}
