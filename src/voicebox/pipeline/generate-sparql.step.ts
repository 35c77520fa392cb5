import { Injectable } from '@nestjs/common';
import { LlmClient } from '../../llm/llm-client.js';
import type { LlmMessage } from '../../llm/llm-types.js';
import { repairMessages, sparqlOfReply } from '../prompts.js';
import type { TurnContext } from './turn-context.js';

/** An earlier query of this turn and what was wrong with it. */
export interface FailedAttempt {
  sparql: string;
  problems: string[];
}

/**
 * Asks the model for the query. After a failed attempt the same conversation continues with the
 * model's query and the precise problem, so a repair sees everything the first try saw.
 */
@Injectable()
export class GenerateSparqlStep {
  constructor(private readonly llm: LlmClient) {}

  async run(ctx: TurnContext, prompt: LlmMessage[], failed: FailedAttempt[]): Promise<string> {
    const messages = [...prompt, ...failed.flatMap((f) => repairMessages(f.sparql, f.problems))];
    ctx.trace.prompt(messages);
    const reply = await this.llm.complete({ messages, temperature: 0 }, ctx.llm);
    return sparqlOfReply(reply.text);
  }
}
