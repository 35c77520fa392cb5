import { Injectable } from '@nestjs/common';
import type { GraphSchema } from '../../knowledge-graph/schema/graph-schema.js';
import type { LlmMessage } from '../../llm/llm-types.js';
import type { QueryRows } from '../answer/query-rows.js';
import { ExecuteQueryStep } from './execute-query.step.js';
import { GenerateSparqlStep, type FailedAttempt } from './generate-sparql.step.js';
import type { TurnContext } from './turn-context.js';
import { ValidateSparqlStep } from './validate-sparql.step.js';

/** LLM repairs per turn, whatever their cause (as sparql-llm and Wren AI do). */
export const MAX_REPAIRS = 3;

const ZERO_ROWS =
  'The query returned no rows. Check that it uses the right classes, properties, entity IRIs and literal values (labels, language tags, datatypes); if nothing is wrong, reply with the same query.';

export type Resolution =
  | { kind: 'ran'; sparql: string; rows: QueryRows }
  | { kind: 'valid'; sparql: string }
  | { kind: 'invalid'; sparql: string; problems: string[] }
  | { kind: 'refused'; sparql: string; problems: string[] };

export interface ResolveInput {
  prompt: LlmMessage[];
  schema: GraphSchema;
  /** Run the query (ask) or only validate it (generate-query). */
  execute: boolean;
  /** A stored query close enough to the question to try before asking the model. */
  stored?: string;
  /** Trips back to the model; 0 when there is no model (a stored query stands or fails alone). */
  maxRepairs?: number;
  onQuery(sparql: string): void;
  onRows(count: number): void;
}

/**
 * Generate → validate → run, with at most MAX_REPAIRS trips back to the model carrying the precise
 * problem. Zero rows is worth one repair; if the repair does no better, the zero-row result stands.
 * An update is refused at once: it is never repaired, never run.
 */
@Injectable()
export class ResolveQuery {
  constructor(
    private readonly generate: GenerateSparqlStep,
    private readonly validate: ValidateSparqlStep,
    private readonly executeStep: ExecuteQueryStep,
  ) {}

  async run(ctx: TurnContext, input: ResolveInput): Promise<Resolution> {
    const failed: FailedAttempt[] = [];
    const t = ctx.trace;
    let emptyResult: Extract<Resolution, { kind: 'ran' }> | undefined;
    let sparql =
      input.stored ??
      (await t.time('generate_sparql', () => this.generate.run(ctx, input.prompt, failed)));
    for (;;) {
      const checked = await t.time('validate_sparql', () =>
        this.validate.run(ctx, sparql, input.schema),
      );
      input.onQuery(checked.sparql);
      let problems = checked.problems.map((p) => p.message);
      if (checked.refused) return { kind: 'refused', sparql: checked.sparql, problems };
      if (problems.length === 0 && !input.execute) return { kind: 'valid', sparql: checked.sparql };
      if (problems.length === 0) {
        const run = await t.time('execute_query', () => this.executeStep.run(ctx, checked.sparql));
        if (run.ok) {
          input.onRows(run.rows.count);
          const ran = { kind: 'ran' as const, sparql: checked.sparql, rows: run.rows };
          if (run.rows.count > 0 || emptyResult) return ran;
          emptyResult = ran;
          problems = [ZERO_ROWS];
        } else {
          problems = [run.problem];
        }
      }
      if (failed.length >= (input.maxRepairs ?? MAX_REPAIRS)) {
        return emptyResult ?? { kind: 'invalid', sparql: checked.sparql, problems };
      }
      failed.push({ sparql: checked.sparql, problems });
      sparql = await t.time('generate_sparql', () => this.generate.run(ctx, input.prompt, failed));
    }
  }
}
