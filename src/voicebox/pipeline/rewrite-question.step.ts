import { Injectable } from '@nestjs/common';
import { LlmClient } from '../../llm/llm-client.js';
import { rewritePrompt, type HistoryTurn } from '../prompts.js';
import type { TurnContext } from './turn-context.js';

/**
 * A follow-up ("and who manages her?") becomes a standalone question from the conversation. The
 * first question of a conversation is standalone already: no LLM call.
 */
@Injectable()
export class RewriteQuestionStep {
  constructor(private readonly llm: LlmClient) {}

  async run(ctx: TurnContext, question: string, history: HistoryTurn[]): Promise<string> {
    if (history.length === 0) return question;
    const messages = rewritePrompt(history, question);
    ctx.trace.prompt(messages);
    const reply = await this.llm.complete({ messages, maxTokens: 300, temperature: 0 }, ctx.llm);
    const standalone = reply.text.trim().replace(/^"(.*)"$/s, '$1');
    return standalone || question;
  }
}
