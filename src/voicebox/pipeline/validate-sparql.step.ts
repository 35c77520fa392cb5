import { Injectable } from '@nestjs/common';
import { KnowledgeGraphService } from '../../knowledge-graph/knowledge-graph.service.js';
import type { GraphSchema } from '../../knowledge-graph/schema/graph-schema.js';
import { StandInSparqlValidator, type ValidationProblem } from './stand-in-sparql-validator.js';
import type { TurnContext } from './turn-context.js';

/** Instance IRIs checked in one query; a query naming more is unusual and the rest go unchecked. */
const MAX_CHECKED_IRIS = 50;

export interface ValidatedQuery {
  /** The query, repaired where that needs no model (missing PREFIXes). */
  sparql: string;
  problems: ValidationProblem[];
  /** An update: refused outright, never repaired and never run. */
  refused: boolean;
}

/**
 * Checks the model's query before it may run: it parses (missing well-known PREFIXes are added),
 * every class and property it names is in the schema, and every instance IRI exists in the graph.
 * The read-only gate inside KnowledgeGraphService.query stays the last check before the store.
 */
@Injectable()
export class ValidateSparqlStep {
  constructor(private readonly kg: KnowledgeGraphService) {}

  async run(ctx: TurnContext, sparql: string, schema: GraphSchema): Promise<ValidatedQuery> {
    const checked = new StandInSparqlValidator(schema).validate(sparql);
    if (checked.type === 'update') {
      const problem = {
        kind: 'not_read_only',
        message: 'The query would change the graph; only read-only queries may run.',
      };
      return { sparql: checked.sparql, problems: [problem], refused: true };
    }
    const missing = checked.problems.length
      ? []
      : await this.missingInstances(ctx, checked.instanceIris.slice(0, MAX_CHECKED_IRIS));
    const problems = [
      ...checked.problems,
      ...missing.map((iri) => ({
        kind: 'unknown_instance',
        term: iri,
        message: `The resource <${iri}> does not exist in the graph; find the right one by its label instead.`,
      })),
    ];
    return { sparql: checked.sparql, problems, refused: false };
  }

  private async missingInstances(ctx: TurnContext, iris: string[]): Promise<string[]> {
    if (iris.length === 0) return [];
    const values = iris.map((i) => `<${i}>`).join(' ');
    const result = await this.kg.query(
      ctx.target,
      `SELECT DISTINCT ?iri WHERE { VALUES ?iri { ${values} } { ?iri ?p ?o } UNION { ?s ?q ?iri } }`,
      ctx.kg,
    );
    if (result.form !== 'SELECT') return [];
    const found = new Set(result.results.bindings.map((b) => b.iri?.value));
    return iris.filter((i) => !found.has(i));
  }
}
