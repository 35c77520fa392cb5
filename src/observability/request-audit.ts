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

/**
 * What one request did on whose behalf, written as a single `audit` log line when the response is
 * done (request-observer.ts). Capabilities add to it through `@Audit()`; LLM usage arrives through
 * the `onUsage` callback of each call (`ctx.onUsage = (u) => audit.recordLlm(u)`).
 */
export class RequestAudit {
  readonly llmCalls: AuditedLlmCall[] = [];

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
    return this.llmCalls.length === 0;
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
