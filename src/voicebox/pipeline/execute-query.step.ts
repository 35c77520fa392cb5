import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error.js';
import { KnowledgeGraphService } from '../../knowledge-graph/knowledge-graph.service.js';
import { rowsOf, type QueryRows } from '../answer/query-rows.js';
import type { TurnContext } from './turn-context.js';

/** Store answers that mean "this query is wrong" (the model can fix it), not "the store is down". */
const QUERY_FAULTS = new Set(['kg.query_invalid', 'kg.query_rejected', 'kg.service_not_allowed']);

export type Execution =
  { ok: true; sparql: string; rows: QueryRows; elapsedMs: number } | { ok: false; problem: string };

/**
 * Runs the validated query through KnowledgeGraphService (read-only gate, limits, the request's
 * X-SD-Auth-Token and abort signal). Store outages keep their own errors and codes.
 */
@Injectable()
export class ExecuteQueryStep {
  constructor(private readonly kg: KnowledgeGraphService) {}

  async run(ctx: TurnContext, sparql: string): Promise<Execution> {
    try {
      const result = await this.kg.query(ctx.target, sparql, ctx.kg);
      return { ok: true, sparql: result.sparql, rows: rowsOf(result), elapsedMs: result.elapsedMs };
    } catch (err) {
      if (err instanceof DomainError && QUERY_FAULTS.has(err.code)) {
        return { ok: false, problem: err.message };
      }
      throw err;
    }
  }
}
