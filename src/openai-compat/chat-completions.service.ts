import { Injectable } from '@nestjs/common';
import { DomainError, STATUS_BY_KIND } from '../common/errors/domain-error.js';
import { AskPipeline } from '../voicebox/ask-pipeline.js';
import type { AskAnswer, AskEvent } from '../voicebox/ask-types.js';
import { ChatCompletions, type ChatCall } from './chat-completions.js';
import { chatTurnOf } from './chat-messages.js';
import type { ChatCompletionRequestDto } from './dto/chat-completion-request.dto.js';

const now = () => Math.floor(Date.now() / 1000);

/** The answer text, then the query in a fenced block (what a chat client shows and copies). */
export function contentOf(answer: AskAnswer): string {
  const sparql = answer.actions.find((a) => a.type === 'sparql')?.value;
  return typeof sparql === 'string' && sparql.trim()
    ? `${answer.result}\n\n\`\`\`sparql\n${sparql.trim()}\n\`\`\``
    : answer.result;
}

/**
 * OpenAI's chat-completions protocol over the ask pipeline: the last user message is the question,
 * earlier messages the conversation; the reply is the cited answer with its SPARQL. Streaming sends
 * the answer as it grows, as `chat.completion.chunk` deltas.
 */
@Injectable()
export class ChatCompletionsService extends ChatCompletions {
  constructor(private readonly pipeline: AskPipeline) {
    super();
  }

  async complete(body: ChatCompletionRequestDto, call: ChatCall) {
    const turn = chatTurnOf(body.messages);
    const base = { identity: call.identity, audit: call.audit };
    const answer = await this.pipeline.ask({ ...base, ...turn }, call.signal);
    return {
      id: `chatcmpl-${answer.message_id}`,
      object: 'chat.completion',
      created: now(),
      model: base.identity.app.name,
      choices: [
        {
          index: 0,
          message: { role: 'assistant' as const, content: contentOf(answer), refusal: null },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      voicebox: {
        conversation_id: answer.conversation_id,
        message_id: answer.message_id,
        actions: answer.actions,
      },
    };
  }

  /**
   * Server-sent events. The first pipeline event is awaited before anything is sent, so early
   * failures (no LLM, bad input) still answer with their HTTP status.
   */
  async stream(body: ChatCompletionRequestDto, call: ChatCall): Promise<AsyncIterable<string>> {
    const turn = chatTurnOf(body.messages);
    const base = { identity: call.identity, audit: call.audit };
    const it = this.pipeline.askStream({ ...base, ...turn }, call.signal)[Symbol.asyncIterator]();
    const first = await it.next();
    const model = base.identity.app.name;
    const created = now();
    const includeUsage = body.stream_options?.include_usage === true;
    return (async function* events() {
      let id = first.done ? 'chatcmpl-voicebox' : `chatcmpl-${first.value.message_id}`;
      const chunk = (delta: object, finish: string | null = null) =>
        sse({
          id,
          object: 'chat.completion.chunk',
          created,
          model,
          choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
        });
      yield chunk({ role: 'assistant', content: '' });
      let sent = '';
      let last: AskEvent | undefined = first.done ? undefined : first.value;
      // Only growth of the answer can be sent as a delta; a replaced text waits for the end.
      const grow = (result: string) => {
        if (!result.startsWith(sent) || result.length === sent.length) return undefined;
        const delta = result.slice(sent.length);
        sent = result;
        return delta;
      };
      try {
        for (let next = first; !next.done; next = await it.next()) {
          last = next.value;
          id = `chatcmpl-${last.message_id}`;
          const delta = last.pending ? grow(last.result) : undefined;
          if (delta) yield chunk({ content: delta });
        }
        if (last) {
          const full = contentOf(last);
          const rest = full.startsWith(sent) ? full.slice(sent.length) : `\n\n${full}`;
          if (rest) yield chunk({ content: rest });
        }
        yield chunk({}, 'stop');
        if (includeUsage) {
          yield sse({
            id,
            object: 'chat.completion.chunk',
            created,
            model,
            choices: [],
            usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
          });
        }
      } catch (err) {
        // The 200 has left: the failure travels as an OpenAI-style error event.
        const known = err instanceof DomainError;
        yield sse({
          error: {
            message: known ? err.message : 'The answer could not be completed.',
            type: known ? err.kind : 'internal',
            code: known ? err.code : 'internal',
            status: known ? STATUS_BY_KIND[err.kind] : 500,
          },
        });
      } finally {
        await it.return?.();
      }
      yield 'data: [DONE]\n\n';
    })();
  }
}

function sse(data: object): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}
