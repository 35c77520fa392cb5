import type { AskEvent } from '../voicebox/ask-types.js';
import { errorEvent, ndjsonLine } from '../voicebox/answer/ndjson.js';
import { voiceboxServiceStreamBroken } from './voicebox-service-errors.js';

/**
 * The Voicebox Service's NDJSON stream, relayed line by line as each line arrives (never buffered
 * to the end). When the stream breaks, or ends without its last line (`pending: false`), the client
 * gets the same closing line the service itself writes on a late failure: the answer so far with
 * an `error` action (or, before the first line, the error is thrown). When the client goes away (`clientGone`) or stops reading, `abort` closes the
 * upstream request, so the Voicebox Service stops working for nobody.
 */
export function relayNdjson(
  body: ReadableStream<Uint8Array>,
  clientGone: AbortSignal,
  abort: () => void,
  onEnd: (last: AskEvent | undefined) => void,
): AsyncIterable<string> {
  // Listened for from now, not from the first read: the client may leave before the reply is sent.
  const onGone = () => abort();
  clientGone.addEventListener('abort', onGone, { once: true });
  if (clientGone.aborted) abort();
  return (async function* relay() {
    const decoder = new TextDecoder();
    let pending = '';
    let last: string | undefined;
    let failure: unknown;
    let completed = false;
    try {
      try {
        for await (const chunk of body) {
          pending += decoder.decode(chunk, { stream: true });
          for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
            const line = pending.slice(0, nl + 1);
            pending = pending.slice(nl + 1);
            if (line.trim() === '') continue;
            last = line;
            yield line;
          }
        }
        pending += decoder.decode();
        if (pending.trim() !== '') {
          last = pending + '\n';
          yield last;
        }
      } catch (err) {
        if (clientGone.aborted) return;
        failure = err;
      }
      const lastEvent = parse(last);
      completed = true;
      onEnd(lastEvent);
      if (failure === undefined && lastEvent?.pending === false) return;
      const error = voiceboxServiceStreamBroken(
        failure === undefined ? 'ended before its last line' : 'broke off',
        failure,
      );
      // Before any line, nothing was sent yet: the caller answers with an HTTP error instead.
      if (!lastEvent) throw error;
      yield ndjsonLine(errorEvent(lastEvent, error));
    } finally {
      clientGone.removeEventListener('abort', onGone);
      // Stopped early (the client left, or the writer gave up): close the upstream request.
      if (!completed) abort();
    }
  })();
}

function parse(line: string | undefined): AskEvent | undefined {
  if (line === undefined) return undefined;
  try {
    const event = JSON.parse(line) as AskEvent;
    return event && typeof event === 'object' && Array.isArray(event.actions) ? event : undefined;
  } catch {
    return undefined;
  }
}
