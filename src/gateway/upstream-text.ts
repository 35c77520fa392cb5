/**
 * The text of a forwarded response's body as it arrives, tied to the client that asked for it:
 * from this call on (not from the first read: the client may leave before the reply is sent) the
 * client going away aborts the upstream request, and so does a consumer that stops reading before
 * the end. Errors of the body reach the consumer, which decides what the client is told.
 */
export function upstreamText(
  body: ReadableStream<Uint8Array>,
  clientGone: AbortSignal,
  abort: () => void,
): AsyncIterable<string> {
  const onGone = () => abort();
  clientGone.addEventListener('abort', onGone, { once: true });
  if (clientGone.aborted) abort();
  return (async function* text() {
    const decoder = new TextDecoder();
    let completed = false;
    try {
      for await (const chunk of body) {
        const part = decoder.decode(chunk, { stream: true });
        if (part) yield part;
      }
      const rest = decoder.decode();
      if (rest) yield rest;
      completed = true;
    } finally {
      clientGone.removeEventListener('abort', onGone);
      if (!completed) abort();
    }
  })();
}
