import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Attributes, Context, Span } from '@opentelemetry/api';
import { SpanStatusCode } from '@opentelemetry/api';
import type { Tracing } from './tracing.js';

interface RequestTrace {
  span: Span;
  context: Context;
}

/**
 * One SERVER span per HTTP request, the parent of every span its handler starts. Fastify hooks, like
 * the access log (request-observer.ts): begun on arrival, made active around the handler, ended
 * with the status once the response is sent. Nothing is registered when tracing is off.
 */
export function traceRequests(fastify: FastifyInstance, tracing: Tracing): void {
  if (!tracing.enabled) return;
  const traces = new WeakMap<FastifyRequest, RequestTrace>();
  fastify.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url;
    const started = tracing.startRequest(
      route ? `${request.method} ${route}` : request.method,
      request.headers,
      {
        'http.request.method': request.method,
        'url.path': pathOf(request.url),
        ...(route ? { 'http.route': route } : {}),
        'voicebox.request_id': request.id,
      },
      () => userOf(request),
    );
    traces.set(request, started);
    done();
  });
  // The body is parsed by now; a callback hook, so the handler (guards, pipeline) runs inside.
  fastify.addHook('preHandler', (request, _reply, done) => {
    const t = traces.get(request);
    if (t) tracing.runIn(t.context, done);
    else done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const t = traces.get(request);
    if (t) {
      t.span.setAttributes({ 'http.response.status_code': reply.statusCode, ...userOf(request) });
      if (reply.statusCode >= 500) t.span.setStatus({ code: SpanStatusCode.ERROR });
      t.span.end();
    }
    done();
  });
}

/** Who the request acts for, as span attributes: ids only, never a credential. */
function userOf(request: FastifyRequest): Attributes {
  const id = (request as { identity?: unknown }).identity as
    { kind: string; app?: { id: string }; clientId?: string; subject?: string } | undefined;
  if (!id) return {};
  const attrs: Attributes = { 'voicebox.auth': id.kind };
  if (id.subject) attrs['enduser.id'] = id.subject;
  if (id.clientId) attrs['voicebox.client_id'] = id.clientId;
  if (id.app) attrs['voicebox.app_id'] = id.app.id;
  return attrs;
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
