import type { AskEvent } from '../voicebox/ask-types.js';
import { errorEvent, ndjsonLine } from '../voicebox/answer/ndjson.js';
import { upstreamText } from './upstream-text.js';
import { voiceboxServiceStreamBroken } from './voicebox-service-errors.js';

/**
 * The Voicebox Service's NDJSON stream, relayed line by line as each line arrives (never buffered
 * to the end). When the stream breaks, or ends without its last line (`pending: false`), the client
 * gets the same closing line the service itself writes on a late failure: the answer so far with
 * an `error` action (or, before the first line, the error is thrown). When the client goes away
 * (`clientGone`) or stops reading, `abort` closes the upstream request (upstream-text.ts), so the
 * Voicebox Service stops working for nobody.
 */
export function relayNdjson(
  body: ReadableStream<Uint8Array>,
  clientGone: AbortSignal,
  abort: () => void,
  onEnd: (last: AskEvent | undefined) => void,
): AsyncIterable<string> {
  const text = upstreamText(body, clientGone, abort);
  return (async function* relay() {
    let pending = '';
    let last: string | undefined;
    let failure: unknown;
    try {
      for await (const part of text) {
        pending += part;
        for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
          const line = pending.slice(0, nl + 1);
          pending = pending.slice(nl + 1);
          if (line.trim() === '') continue;
          last = line;
          yield line;
        }
      }
      if (pending.trim() !== '') {
        last = pending + '\n';
        yield last;
      }
    } catch (err) {
      if (clientGone.aborted) return;
      failure = err;
    }
    const lastEvent = parse(last);
    onEnd(lastEvent);
    if (failure === undefined && lastEvent?.pending === false) return;
    const error = voiceboxServiceStreamBroken(
      failure === undefined ? 'ended before its last line' : 'broke off',
      failure,
    );
    // Before any line, nothing was sent yet: the caller answers with an HTTP error instead.
    if (!lastEvent) throw error;
    yield ndjsonLine(errorEvent(lastEvent, error));
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
