import { DomainError, STATUS_BY_KIND } from '../../common/errors/domain-error.js';
import type { AskEvent } from '../ask-types.js';

/**
 * The NDJSON lines of a streamed answer. The first event is awaited here, before any byte is sent:
 * a failure that early (unknown conversation, no LLM) still gets its proper HTTP status. A failure
 * later, when the 200 has left, ends the stream with a last line carrying an `error` action.
 */
export async function ndjsonLines(events: AsyncIterable<AskEvent>): Promise<AsyncIterable<string>> {
  const it = events[Symbol.asyncIterator]();
  const first = await it.next();
  return (async function* lines() {
    let last: AskEvent | undefined = first.done ? undefined : first.value;
    if (last) yield ndjsonLine(last);
    try {
      for (let next = await it.next(); !next.done; next = await it.next()) {
        last = next.value;
        yield ndjsonLine(last);
      }
    } catch (err) {
      if (!last) throw err;
      yield ndjsonLine(errorEvent(last, err));
    } finally {
      await it.return?.();
    }
  })();
}

export function ndjsonLine(event: AskEvent): string {
  return JSON.stringify(event) + '\n';
}

/** The last line of a stream that failed after its first line: the answer so far and the error. */
export function errorEvent(last: AskEvent, err: unknown): AskEvent {
  const known = err instanceof DomainError;
  const message = known ? err.message : 'The answer could not be completed.';
  const value = {
    status: known ? STATUS_BY_KIND[err.kind] : 500,
    code: known ? err.code : 'internal',
    message,
  };
  return {
    result: message,
    conversation_id: last.conversation_id,
    message_id: last.message_id,
    actions: [
      ...last.actions.filter((a) => a.type !== 'status'),
      { type: 'error', label: 'Error', value },
    ],
    pending: false,
  };
}
