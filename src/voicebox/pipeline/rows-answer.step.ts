import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error.js';
import { KnowledgeGraphService } from '../../knowledge-graph/knowledge-graph.service.js';
import type { QueryRows } from '../answer/query-rows.js';
import { rowsAnswer, TABLE_ROWS } from '../answer/rows-table.js';
import type { TurnContext } from './turn-context.js';
import { NO_ROWS_ANSWER } from './write-answer.step.js';

/** Label properties asked for the table's link texts. */
const LABEL_PATH =
  '<http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#prefLabel>|<http://xmlns.com/foaf/0.1/name>|<http://schema.org/name>|<https://schema.org/name>';
const NOT_IN_IRIREF = /[\s<>"{}|^`\\]/;

export interface RowsAnswerInput {
  rows: QueryRows;
  /** The stored question whose query was run. */
  storedQuestion: string;
}

/**
 * With no model configured, a question answered by a stored query still gets an answer: the service
 * writes it from the rows (rows-table.ts), with the IRIs' labels fetched in one query so the links
 * read as names. A failing label lookup leaves local names; it never fails the answer.
 */
@Injectable()
export class RowsAnswerStep {
  constructor(private readonly kg: KnowledgeGraphService) {}

  async run(ctx: TurnContext, input: RowsAnswerInput): Promise<string> {
    if (input.rows.count === 0) return NO_ROWS_ANSWER;
    const labels = await this.labels(ctx, shownIris(input.rows));
    return rowsAnswer({ result: input.rows.result, labels, storedQuestion: input.storedQuestion });
  }

  private async labels(ctx: TurnContext, iris: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (iris.length === 0) return out;
    const values = iris.map((i) => `<${i}>`).join(' ');
    try {
      const r = await this.kg.query(
        ctx.target,
        `SELECT ?x ?label WHERE { VALUES ?x { ${values} } ?x ${LABEL_PATH} ?label }`,
        ctx.kg,
      );
      if (r.form !== 'SELECT') return out;
      // English or untagged labels win over others; the first one found otherwise.
      const preferredFound = new Set<string>();
      for (const b of r.results.bindings) {
        const iri = b.x?.value;
        const label = b.label;
        if (!iri || !label || label.type !== 'literal') continue;
        const lang = label['xml:lang'] ?? '';
        const preferred = lang === '' || lang.startsWith('en');
        if (preferredFound.has(iri) || (out.has(iri) && !preferred)) continue;
        out.set(iri, label.value);
        if (preferred) preferredFound.add(iri);
      }
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      ctx.trace.grounding.labelLookup = err.message;
    }
    return out;
  }
}

/** The IRIs of the rows the table shows (those past TABLE_ROWS need no label). */
function shownIris(rows: QueryRows): string[] {
  const r = rows.result;
  const iris = new Set<string>();
  if (r.form === 'SELECT') {
    for (const b of r.results.bindings.slice(0, TABLE_ROWS))
      for (const t of Object.values(b)) if (t.type === 'uri') iris.add(t.value);
  } else if (r.form !== 'ASK') {
    for (const i of rows.iris) iris.add(i);
  }
  return [...iris].filter((i) => !NOT_IN_IRIREF.test(i)).slice(0, 500);
}
