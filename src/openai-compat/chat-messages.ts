import { RequestValidationError } from '../common/errors/domain-error.js';
import type { HistoryTurn } from '../voicebox/prompts.js';
import type { ChatMessageDto } from './dto/chat-completion-request.dto.js';

/** Earlier question–answer pairs given to the rewrite step, as for stored conversations. */
const HISTORY_TURNS = 6;

export interface ChatTurn {
  question: string;
  history: HistoryTurn[];
}

/** The text of a message: a string, or the `text` parts of a content array. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p: unknown) => {
        const part = p as { type?: unknown; text?: unknown } | null;
        return part?.type === 'text' && typeof part.text === 'string' ? part.text : '';
      })
      .filter(Boolean)
      .join('\n');
  }
  return '';
}

/** Our own answers carry the SPARQL in a fenced block at the end; the history needs the answer. */
function withoutSparql(answer: string): string {
  return answer.replace(/\n*```sparql\n[\s\S]*?```\s*$/, '').trim();
}

/**
 * The last message is the question (it must be the user's); each earlier user message followed by
 * an assistant message is a turn of the conversation. System messages are the client's own and are
 * not given to the pipeline, whose prompts are fixed.
 */
export function chatTurnOf(messages: ChatMessageDto[]): ChatTurn {
  const last = messages[messages.length - 1];
  const question = textOf(last.content).trim();
  if (last.role !== 'user' || !question) {
    throw new RequestValidationError([
      { field: 'messages', reason: 'the last message must be a user message with text' },
    ]);
  }
  const history: HistoryTurn[] = [];
  for (let i = 0; i < messages.length - 2; i++) {
    const [q, a] = [messages[i], messages[i + 1]];
    if (q.role !== 'user' || a.role !== 'assistant') continue;
    const text = textOf(q.content).trim();
    history.push({
      question: text,
      standaloneQuestion: text,
      answer: withoutSparql(textOf(a.content)),
    });
  }
  return { question, history: history.slice(-HISTORY_TURNS) };
}
