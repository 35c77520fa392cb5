import type { FastifyReply } from 'fastify';
import type { RequestAudit } from './request-audit.js';

/**
 * The `Server-Timing` header of a finished ask (W3C Server Timing): what the model calls took, what
 * the knowledge graph's queries took, and the whole request up to the answer, in ms. Browsers'
 * developer tools and `curl -i` show it; what is left of `total` after `llm` and `kg` is the
 * service's own time (bench/kgqa.bench.js overhead reads it so). Durations only, nothing of the
 * question, the query or a credential.
 */
export function serverTimingOf(audit: RequestAudit, totalMs: number): string | undefined {
  // Only where the pipeline ran: a gateway that forwarded the ask knows neither time.
  if (audit.ask?.storeMs === undefined) return undefined;
  const llmMs = audit.llmCalls.reduce((n, c) => n + c.latencyMs, 0);
  return [
    `llm;dur=${fixed(llmMs)};desc="${audit.llmCalls.length} calls"`,
    `kg;dur=${fixed(audit.ask.storeMs)}`,
    `total;dur=${fixed(totalMs)}`,
  ].join(', ');
}

export function setServerTiming(reply: FastifyReply, audit: RequestAudit): void {
  const value = serverTimingOf(audit, reply.elapsedTime);
  if (value) void reply.header('server-timing', value);
}

function fixed(ms: number): string {
  return (Math.round(ms * 100) / 100).toString();
}
