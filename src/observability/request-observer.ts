import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AccessLogSampler } from './access-log-sampler.js';
import type { MetricsRegistry } from './metrics.registry.js';
import type { RequestAudit } from './request-audit.js';

/**
 * The orchestrator's probes (README, "Logs, metrics, probes"). A kubelet asks every few seconds for
 * the life of the pod, so at INFO their successful lines would be most of the log and, measured
 * (bench/http.bench.js), about a third of the CPU a probe costs. A probe that succeeds fast is
 * written at DEBUG; a failed (4xx/5xx) or slow one is written as any other request.
 */
const PROBE_ROUTES = new Set(['/system/health', '/system/ready']);

// Accept a caller's request id only if it is short and plain: it is echoed and logged verbatim.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * One log line and one metrics sample per request, written when the response is done (the request
 * id is echoed on every response by bootstrap/request-intake.ts). A Fastify hook rather than a Nest
 * interceptor, so that 404s, body-parser refusals and errors thrown before a handler are counted
 * too. The access line goes through the root logger with the request id, so a request that logs
 * nothing else never builds its own child logger (lazy-request-logger.ts); `accessLog` samples fast
 * successful lines.
 */
export function observeRequests(
  fastify: FastifyInstance,
  metrics: MetricsRegistry,
  accessLog: { samplePercent: number; slowMs: number },
): void {
  // The root pino logger (create-app.ts hands it to Fastify): its own level test, not Fastify's type.
  const logger = fastify.log as unknown as Logger;
  const sampler = new AccessLogSampler(accessLog.samplePercent, accessLog.slowMs);
  const debugEnabled = () => logger.isLevelEnabled('debug');
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    const elapsedMs = reply.elapsedTime;
    metrics.httpDuration.seriesFor(request.method, route, status).observe(elapsedMs / 1000);
    const audit: RequestAudit | undefined = request.audit;
    const auditLine = audit !== undefined && !audit.isEmpty;
    const quietProbe = status < 400 && elapsedMs < accessLog.slowMs && PROBE_ROUTES.has(route);
    if (quietProbe && !auditLine && !debugEnabled()) return done();
    if (!auditLine && !sampler.shouldLog(status, elapsedMs)) return done();
    const line = {
      request_id: request.id,
      method: request.method,
      route,
      url: pathOf(request.url),
      status,
      duration_ms: Math.round(elapsedMs * 100) / 100,
    };
    if (status >= 500) logger.error(line, 'request');
    else if (quietProbe) logger.debug(line, 'request');
    else logger.info(line, 'request');
    if (auditLine) {
      logger.info({ ...line, ...identityOf(request), ...audit.toLog() }, 'audit');
    }
    done();
  });
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
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
