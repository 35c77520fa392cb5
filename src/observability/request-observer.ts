import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { MetricsRegistry } from './metrics.registry.js';
import type { RequestAudit } from './request-audit.js';

// Accept a caller's request id only if it is short and plain: it is echoed and logged verbatim.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * One log line and one metrics sample per request, written when the response is done, plus the
 * request id echoed on every response. Fastify hooks rather than Nest interceptors, so that 404s,
 * body-parser refusals and errors thrown before a handler are counted too.
 */
export function observeRequests(fastify: FastifyInstance, metrics: MetricsRegistry): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    const seconds = reply.elapsedTime / 1000;
    const labels = { method: request.method, route, status_code: String(status) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, seconds);
    const line = {
      method: request.method,
      route,
      url: request.url.split('?')[0],
      status,
      duration_ms: Math.round(reply.elapsedTime * 100) / 100,
    };
    if (status >= 500) request.log.error(line, 'request');
    else request.log.info(line, 'request');
    const audit: RequestAudit | undefined = request.audit;
    if (audit && !audit.isEmpty) {
      request.log.info({ ...line, ...identityOf(request), ...audit.toLog() }, 'audit');
    }
    done();
  });
}

/** Who the request acted for, as the audit line names them (ids only, never a credential). */
function identityOf(request: object): Record<string, unknown> {
  const id = (request as { identity?: unknown }).identity as
    | { kind: string; app?: { id: string }; keyId?: string; clientId?: string; subject?: string }
    | undefined;
  if (!id) return {};
  return {
    auth: id.kind,
    app_id: id.app?.id,
    key_id: id.keyId,
    client_id: id.clientId,
    subject: id.subject,
  };
}
