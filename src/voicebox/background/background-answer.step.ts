import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { LlmRegistry } from '../../llm/llm-registry.js';
import type { LlmMessage } from '../../llm/llm-types.js';
import type { TurnContext } from '../pipeline/turn-context.js';

/** The first words of every background answer: the reader must not take it for the graph's. */
export const NOT_FROM_GRAPH =
  '**Not from the knowledge graph.** The graph holds no answer to this question; what follows comes from the language model’s general knowledge and may be wrong or out of date.';

export interface BackgroundAnswer {
  text: string;
  provider: string;
  model: string;
}

/**
 * When the graph holds no answer (no rows, or no valid query), the external model answers from
 * general knowledge (`enable_external_llm`, or `#llm` in the question): `external_llm_config` when
 * set, else the default model. Off, the turn keeps its "the graph holds no answer" text.
 */
@Injectable()
export class BackgroundAnswerStep {
  constructor(
    private readonly config: AppConfig,
    private readonly llms: LlmRegistry,
  ) {}

  enabled(ctx: TurnContext): boolean {
    return ctx.directives.has('llm') || this.config.features.externalLlm;
  }

  async run(
    ctx: TurnContext,
    question: string,
    onText?: (text: string) => void,
  ): Promise<BackgroundAnswer> {
    const llm = this.llms.get('external');
    const messages: LlmMessage[] = [
      {
        role: 'system',
        content:
          'The enterprise knowledge graph holds no answer to the question below. Answer it briefly from your general knowledge, in markdown. ' +
          'If you do not know, or the question is about private facts of an organisation you cannot know, say so plainly instead of guessing. Do not invent links.',
      },
      { role: 'user', content: question },
    ];
    ctx.trace.prompt(messages);
    const lead = `${NOT_FROM_GRAPH}\n\n`;
    let text = '';
    if (onText) {
      for await (const event of llm.stream({ messages, temperature: 0 }, ctx.llm)) {
        if (event.type !== 'text') continue;
        text += event.text;
        onText(lead + text);
      }
    } else {
      text = (await llm.complete({ messages, temperature: 0 }, ctx.llm)).text;
    }
    return { text: lead + text.trim(), provider: llm.provider, model: llm.model };
  }
}
