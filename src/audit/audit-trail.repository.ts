import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import type { AuditedLlmCall } from '../observability/request-audit.js';
import type { AuditEntry } from './audit-entry.js';

export interface AuditFilter {
  /** App id or app name. */
  app?: string;
  clientId?: string;
  subject?: string;
  outcome?: string;
  since?: Date;
  until?: Date;
}

type AuditRow = {
  id: string;
  created_at: Date;
  request_id: string;
  route: string;
  status: number;
  outcome: string;
  duration_ms: number;
  auth: string | null;
  app_id: string | null;
  app_name: string | null;
  key_id: string | null;
  client_id: string | null;
  subject: string | null;
  conversation_id: string | null;
  message_id: string | null;
  sparql: string | null;
  row_count: number | null;
  llm_provider: string | null;
  llm_model: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  llm_calls: AuditedLlmCall[];
};

const COLUMNS = [
  'id',
  'created_at',
  'request_id',
  'route',
  'status',
  'outcome',
  'duration_ms',
  'auth',
  'app_id',
  'app_name',
  'key_id',
  'client_id',
  'subject',
  'conversation_id',
  'message_id',
  'sparql',
  'row_count',
  'llm_provider',
  'llm_model',
  'prompt_tokens',
  'completion_tokens',
  'llm_calls',
] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The only place that reads and writes `audit_records`. */
@Injectable()
export class AuditTrailRepository {
  constructor(private readonly db: Database) {}

  /** Many entries in one statement: the writer batches what queued up meanwhile. */
  async insertMany(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const params: unknown[] = [];
    const tuples = entries.map((e) => {
      const values = [
        e.id,
        e.createdAt,
        e.requestId,
        e.route,
        e.status,
        e.outcome,
        e.durationMs,
        e.auth ?? null,
        e.appId ?? null,
        e.appName ?? null,
        e.keyId ?? null,
        e.clientId ?? null,
        e.subject ?? null,
        e.conversationId ?? null,
        e.messageId ?? null,
        e.sparql ?? null,
        e.rowCount ?? null,
        e.llmProvider ?? null,
        e.llmModel ?? null,
        e.promptTokens,
        e.completionTokens,
        JSON.stringify(e.llmCalls),
      ];
      const start = params.length;
      params.push(...values);
      return `(${values.map((_, i) => `$${start + i + 1}`).join(', ')})`;
    });
    await this.db.query(
      `INSERT INTO audit_records (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`,
      params,
    );
  }

  /** Newest first. */
  async list(
    filter: AuditFilter,
    page: { limit: number; offset: number },
  ): Promise<{ items: AuditEntry[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    if (filter.app !== undefined) {
      // An id matches the app even after a rename; a name matches what the record says.
      if (UUID.test(filter.app)) add((p) => `app_id = ${p}`, filter.app);
      else add((p) => `app_name = ${p}`, filter.app);
    }
    if (filter.clientId !== undefined) add((p) => `client_id = ${p}`, filter.clientId);
    if (filter.subject !== undefined) add((p) => `subject = ${p}`, filter.subject);
    if (filter.outcome !== undefined) add((p) => `outcome = ${p}`, filter.outcome);
    if (filter.since !== undefined) add((p) => `created_at >= ${p}`, filter.since);
    if (filter.until !== undefined) add((p) => `created_at < ${p}`, filter.until);
    const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const count = await this.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM audit_records ${whereSql}`,
      params,
    );
    const { rows } = await this.db.query<AuditRow>(
      `SELECT ${COLUMNS.join(', ')} FROM audit_records ${whereSql}
       ORDER BY created_at DESC, id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, page.limit, page.offset],
    );
    return { items: rows.map(toEntry), total: Number(count.rows[0]?.n ?? 0) };
  }
}

function toEntry(r: AuditRow): AuditEntry {
  const opt = <T>(v: T | null): T | undefined => v ?? undefined;
  return {
    id: r.id,
    createdAt: r.created_at,
    requestId: r.request_id,
    route: r.route,
    status: r.status,
    outcome: r.outcome,
    durationMs: r.duration_ms,
    auth: opt(r.auth),
    appId: opt(r.app_id),
    appName: opt(r.app_name),
    keyId: opt(r.key_id),
    clientId: opt(r.client_id),
    subject: opt(r.subject),
    conversationId: opt(r.conversation_id),
    messageId: opt(r.message_id),
    sparql: opt(r.sparql),
    rowCount: opt(r.row_count),
    llmProvider: opt(r.llm_provider),
    llmModel: opt(r.llm_model),
    promptTokens: r.prompt_tokens,
    completionTokens: r.completion_tokens,
    llmCalls: r.llm_calls,
  };
}
