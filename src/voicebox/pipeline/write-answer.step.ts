import { Injectable } from '@nestjs/common';
import { LlmClient } from '../../llm/llm-client.js';
import type { QueryRows } from '../answer/query-rows.js';
import { keepKnownLinks, settledPrefix } from '../answer/citations.js';
import type { LinkedEntity } from '../grounding/entity-linker.js';
import { answerPrompt } from '../prompts.js';
import type { TurnContext } from './turn-context.js';

export const NO_ROWS_ANSWER =
  'The knowledge graph has no results for this question: the query found nothing, so there is no answer to give from the graph.';

export interface AnswerInput {
  question: string;
  sparql: string;
  rows: QueryRows;
  entities: LinkedEntity[];
  /** Statistics over all the rows, as the prompt shows them. */
  statistics?: string;
}

/**
 * Writes the answer from the rows, with entity mentions linked to their IRIs; links to IRIs that
 * are neither in the rows nor among the linked entities are removed. With `onText` the answer is
 * streamed: each call carries the checked answer so far, a link still being written held back.
 * No rows: the answer says so, without asking the model (it would only guess).
 */
@Injectable()
export class WriteAnswerStep {
  constructor(private readonly llm: LlmClient) {}

  async run(
    ctx: TurnContext,
    input: AnswerInput,
    onText?: (text: string) => void,
  ): Promise<string> {
    if (input.rows.count === 0) return NO_ROWS_ANSWER;
    const messages = answerPrompt({
      question: input.question,
      sparql: input.sparql,
      rowsText: input.rows.text,
      rowCount: input.rows.count,
      truncated: input.rows.truncated,
      entities: input.entities,
      statistics: input.statistics,
    });
    ctx.trace.prompt(messages);
    const allowed = new Set([...input.rows.iris, ...input.entities.map((e) => e.iri)]);
    const check = (text: string) => keepKnownLinks(text, allowed);
    let text = '';
    if (onText) {
      let shown = '';
      for await (const event of this.llm.stream({ messages, temperature: 0 }, ctx.llm)) {
        if (event.type !== 'text') continue;
        text += event.text;
        const visible = check(settledPrefix(text)).text;
        if (visible !== shown) onText((shown = visible));
      }
    } else {
      text = (await this.llm.complete({ messages, temperature: 0 }, ctx.llm)).text;
    }
    const checked = check(text.trim());
    if (checked.removed.length) ctx.trace.grounding.removedLinks = checked.removed;
    return checked.text;
  }
}
