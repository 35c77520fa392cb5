import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from '../auth/identity.js';
import type { AuditedLlmCall, RequestAudit } from '../observability/request-audit.js';

/** One voicebox request as the audit trail stores it; ids and counts only, never a credential. */
export interface AuditEntry {
  id: string;
  createdAt: Date;
  requestId: string;
  route: string;
  status: number;
  outcome: string;
  durationMs: number;
  auth?: string;
  appId?: string;
  appName?: string;
  keyId?: string;
  clientId?: string;
  subject?: string;
  conversationId?: string;
  messageId?: string;
  sparql?: string;
  rowCount?: number;
  llmProvider?: string;
  llmModel?: string;
  promptTokens: number;
  completionTokens: number;
  llmCalls: AuditedLlmCall[];
}

/** Routes that run the ask pipeline: the voicebox API and its OpenAI-compatible face. */
export function isAuditedRoute(route: string): boolean {
  return route.startsWith('/api/v1/voicebox/') || route === '/v1/chat/completions';
}

/** The entry of a finished voicebox request, from what the guard and the pipeline recorded. */
export function auditEntryOf(request: FastifyRequest, reply: FastifyReply): AuditEntry {
  const audit: RequestAudit | undefined = request.audit;
  const identity = (request as { identity?: Identity }).identity;
  const calls = audit?.llmCalls ?? [];
  // The default LLM wrote the SPARQL and the answer; the external one only adds background.
  const main = calls.find((c) => c.role === 'default') ?? calls[0];
  const ask = audit?.ask;
  const app = identity && identity.kind === 'app-key' ? identity : undefined;
  return {
    id: randomUUID(),
    createdAt: new Date(),
    requestId: request.id,
    route: request.routeOptions.url ?? request.url.split('?')[0],
    status: reply.statusCode,
    outcome: ask?.outcome ?? (reply.statusCode < 400 ? 'ok' : `http_${reply.statusCode}`),
    durationMs: Math.round(reply.elapsedTime * 100) / 100,
    auth: identity?.kind,
    appId: app?.app.id,
    appName: ask?.appName ?? app?.app.name,
    keyId: app?.keyId,
    clientId: app?.clientId,
    subject: identity && 'subject' in identity ? identity.subject : undefined,
    conversationId: ask?.conversationId,
    messageId: ask?.messageId,
    sparql: ask?.sparql,
    rowCount: ask?.rowCount,
    llmProvider: main?.provider,
    llmModel: main?.model,
    promptTokens: calls.reduce((n, c) => n + c.promptTokens, 0),
    completionTokens: calls.reduce((n, c) => n + c.completionTokens, 0),
    llmCalls: calls.map((c) => ({ ...c })),
  };
}
