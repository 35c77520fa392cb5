import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** One LLM call as the audit record keeps it (no prompt, no answer, no credential). */
export interface AuditedLlmCall {
  role: string;
  provider: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  outcome: string;
}

/** One question through the ask pipeline, as the audit line names it. */
export interface AuditedAsk {
  appName: string;
  conversationId: string;
  messageId: string;
  /** The query run (or refused, or left invalid); absent when the turn failed before one existed. */
  sparql?: string;
  rowCount?: number;
  /** answered | no_rows | not_answerable | refused | query_generated, or the error code. */
  outcome: string;
  /** The stores' own time for every query of the turn, in ms (absent when it ran none here). */
  storeMs?: number;
}

/** One token exchange made for the request: which hop, and whether the cache served it. */
export interface AuditedTokenExchange {
  hop: string;
  source: string;
}

/** A request forwarded to another service (the gateway of a split deployment). */
export interface AuditedForward {
  service: string;
  route: string;
  status: number;
}

/**
 * What one request did on whose behalf, written as a single `audit` log line when the response is
 * done (request-observer.ts). Capabilities add to it through `@Audit()`; LLM usage arrives through
 * the `onUsage` callback of each call (`ctx.onUsage = (u) => audit.recordLlm(u)`).
 */
export class RequestAudit {
  readonly llmCalls: AuditedLlmCall[] = [];
  ask?: AuditedAsk;
  readonly tokenExchanges: AuditedTokenExchange[] = [];
  forward?: AuditedForward;

  recordTokenExchange(exchange: AuditedTokenExchange): void {
    this.tokenExchanges.push({ hop: exchange.hop, source: exchange.source });
  }

  recordForward(forward: AuditedForward): void {
    this.forward = { ...forward };
  }

  recordAsk(ask: AuditedAsk): void {
    this.ask = { ...ask };
  }

  recordLlm(call: AuditedLlmCall): void {
    this.llmCalls.push({
      role: call.role,
      provider: call.provider,
      model: call.model,
      promptTokens: call.promptTokens,
      completionTokens: call.completionTokens,
      latencyMs: call.latencyMs,
      outcome: call.outcome,
    });
  }

  get isEmpty(): boolean {
    return (
      this.llmCalls.length === 0 &&
      this.ask === undefined &&
      this.tokenExchanges.length === 0 &&
      this.forward === undefined
    );
  }

  toLog(): Record<string, unknown> {
    const sum = (f: (c: AuditedLlmCall) => number) => this.llmCalls.reduce((n, c) => n + f(c), 0);
    return {
      llm_calls: this.llmCalls.map((c) => ({
        role: c.role,
        provider: c.provider,
        model: c.model,
        prompt_tokens: c.promptTokens,
        completion_tokens: c.completionTokens,
        latency_ms: c.latencyMs,
        outcome: c.outcome,
      })),
      llm_prompt_tokens: sum((c) => c.promptTokens),
      llm_completion_tokens: sum((c) => c.completionTokens),
      ...(this.tokenExchanges.length > 0 && {
        token_exchanges: this.tokenExchanges.map((e) => ({ hop: e.hop, source: e.source })),
      }),
      ...(this.forward && {
        forwarded_to: this.forward.service,
        forwarded_route: this.forward.route,
        forwarded_status: this.forward.status,
      }),
      ...(this.ask && {
        app_name: this.ask.appName,
        conversation_id: this.ask.conversationId,
        message_id: this.ask.messageId,
        sparql: this.ask.sparql,
        row_count: this.ask.rowCount,
        ask_outcome: this.ask.outcome,
        ...(this.ask.storeMs !== undefined && { store_ms: this.ask.storeMs }),
      }),
    };
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    audit?: RequestAudit;
  }
}

export function auditOf(request: FastifyRequest): RequestAudit {
  request.audit ??= new RequestAudit();
  return request.audit;
}

/** The current request's audit record. */
export const Audit = createParamDecorator((_data: unknown, ctx: ExecutionContext) =>
  auditOf(ctx.switchToHttp().getRequest<FastifyRequest>()),
);
