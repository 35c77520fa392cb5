import type { FastifyReply } from 'fastify';

/**
 * An AbortSignal that fires when the HTTP client goes away before its response is complete, to be
 * passed as `LlmCallContext.signal` so that a model does not keep generating for nobody. Watches
 * the response, not the request: a request's 'close' also fires once its body has been read.
 */
export function clientDisconnectSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const raw = reply.raw;
  raw.once('close', () => {
    if (!raw.writableFinished) controller.abort(new Error('client disconnected'));
  });
  return controller.signal;
}
