import type { Logger } from 'pino';
import type { AppConfig, LlmConfig } from '../config/app-config.js';
import { DomainError } from '../common/errors/domain-error.js';
import { LlmCallScope } from './llm-call-scope.js';
import { LlmClient } from './llm-client.js';
import { llmAborted, llmFailure, llmTimeout, outcomeOf } from './llm-errors.js';
import type { LlmMetrics } from './llm-metrics.js';
import {
  NoTracing,
  SpanKind,
  markFailed,
  type Span,
  type Tracing,
} from '../observability/tracing.js';
import type { LlmProvider, ProviderCall, ProviderRequest } from './llm-provider.js';
import { retryDelayMs } from './llm-retry-policy.js';
import type {
  LlmCallContext,
  LlmCallOutcome,
  LlmCompletion,
  LlmRequest,
  LlmRole,
  LlmStreamEvent,
  LlmUsage,
} from './llm-types.js';

const NO_USAGE: LlmUsage = { promptTokens: 0, completionTokens: 0 };

/**
 * A configured LLM: one provider strategy wrapped in the policy every provider shares (deadline,
 * retries with backoff, abort, error mapping, usage metrics and the per-call usage callback).
 */
export class ProviderLlmClient extends LlmClient {
  constructor(
    readonly role: LlmRole,
    private readonly cfg: LlmConfig,
    private readonly impl: LlmProvider,
    private readonly tuning: AppConfig['llmTuning'],
    private readonly metrics: LlmMetrics,
    private readonly logger: Logger,
    private readonly tracing: Tracing = new NoTracing(),
  ) {
    super();
  }

  get provider(): string {
    return this.cfg.provider;
  }

  get model(): string {
    return this.cfg.model;
  }

  async complete(req: LlmRequest, ctx: LlmCallContext = {}): Promise<LlmCompletion> {
    const scope = new LlmCallScope(this.tuning.timeoutMs, ctx.signal);
    const preq = this.providerRequest(req);
    const span = this.startSpan(preq);
    try {
      const result = await this.withRetries(scope, ctx, (call) => this.impl.complete(preq, call));
      this.finish(scope, ctx, 'ok', result.usage, span);
      return result;
    } catch (err) {
      markFailed(span, err);
      this.finish(scope, ctx, outcomeOf(err), NO_USAGE, span);
      // A failed call may have left a request in flight (a retry cut short): close it.
      scope.dispose();
      throw err;
    } finally {
      scope.dispose({ abort: false });
    }
  }

  async *stream(req: LlmRequest, ctx: LlmCallContext = {}): AsyncIterable<LlmStreamEvent> {
    const scope = new LlmCallScope(this.tuning.timeoutMs, ctx.signal);
    const preq = this.providerRequest(req);
    const span = this.startSpan(preq, true);
    let usage = NO_USAGE;
    // Until the provider's last event has been passed on, the call has not succeeded: a consumer
    // that stops early (return() on this generator) leaves it 'aborted', not 'ok' with 0 tokens.
    let outcome: LlmCallOutcome = 'aborted';
    let iterator: AsyncIterator<LlmStreamEvent> | undefined;
    try {
      // Retried only until the first event: after that the caller has seen part of the answer.
      const opened = await this.withRetries(scope, ctx, async (call) => {
        const it = this.impl.stream(preq, call)[Symbol.asyncIterator]();
        return { it, first: await it.next() };
      });
      iterator = opened.it;
      let next = opened.first;
      while (!next.done) {
        scope.refresh();
        if (next.value.type === 'done') {
          // The whole answer and its usage are in hand, whether or not the consumer reads on.
          usage = next.value.usage;
          outcome = 'ok';
        }
        yield next.value;
        try {
          next = await iterator.next();
        } catch (err) {
          throw this.toDomainError(err, scope);
        }
      }
      outcome = 'ok';
    } catch (err) {
      outcome = outcomeOf(err);
      markFailed(span, err);
      throw err;
    } finally {
      scope.dispose();
      // Early exit by the consumer: close the provider's stream too.
      if (iterator?.return) await iterator.return().catch(() => undefined);
      this.finish(scope, ctx, outcome, usage, span);
    }
  }

  /**
   * The call's CLIENT span, named and attributed as the OpenTelemetry GenAI conventions say; begun
   * by hand because a stream outlives the call that opened it. Ended by `finish`.
   */
  private startSpan(preq: ProviderRequest, streaming = false): Span {
    return this.tracing.startSpan(
      `chat ${this.model}`,
      {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': this.provider,
        'gen_ai.request.model': this.model,
        'gen_ai.request.max_tokens': preq.maxTokens,
        'voicebox.llm.role': this.role,
        'voicebox.llm.streaming': streaming,
      },
      SpanKind.CLIENT,
    );
  }

  private providerRequest(req: LlmRequest): ProviderRequest {
    return {
      messages: req.messages,
      maxTokens: Math.min(req.maxTokens ?? this.cfg.maxTokens, this.cfg.maxTokens),
      temperature: req.temperature ?? this.cfg.temperature,
    };
  }

  private async withRetries<T>(
    scope: LlmCallScope,
    ctx: LlmCallContext,
    fn: (call: ProviderCall) => Promise<T>,
  ): Promise<T> {
    const headers: Record<string, string> = {};
    for (const [name, template] of Object.entries(this.cfg.headers)) {
      headers[name] = template.render(ctx.user);
    }
    const call: ProviderCall = { signal: scope.signal, headers, bearerToken: ctx.bearerToken };
    for (let attempt = 0; ; attempt++) {
      scope.attempts++;
      try {
        return await fn(call);
      } catch (err) {
        const delay = this.retryDelay(err, attempt, scope);
        try {
          await scope.sleep(delay);
        } catch {
          throw this.toDomainError(err, scope);
        }
      }
    }
  }

  /** The wait before the next attempt; throws the mapped error when there is none. */
  private retryDelay(err: unknown, attempt: number, scope: LlmCallScope): number {
    if (err instanceof DomainError || scope.signal.aborted) throw this.toDomainError(err, scope);
    const failure = this.impl.classify(err);
    const delay = retryDelayMs(failure, attempt, this.tuning);
    if (delay === undefined || delay >= scope.remainingMs) throw this.toDomainError(err, scope);
    this.logger.warn(
      { ...this.labels(), attempt: attempt + 1, delay_ms: delay, failure: describe(failure) },
      'llm call failed, retrying',
    );
    return delay;
  }

  private toDomainError(err: unknown, scope: LlmCallScope): DomainError {
    if (err instanceof DomainError) return err;
    if (scope.callerAborted) return llmAborted(this.provider);
    if (scope.timedOut) return llmTimeout(this.provider, this.tuning.timeoutMs);
    const failure = this.impl.classify(err);
    this.logger.warn(
      { ...this.labels(), attempts: scope.attempts, failure: describe(failure) },
      'llm call failed',
    );
    return llmFailure(this.provider, failure, err);
  }

  private finish(
    scope: LlmCallScope,
    ctx: LlmCallContext,
    outcome: LlmCallOutcome,
    usage: LlmUsage,
    span: Span,
  ): void {
    const record = {
      role: this.role,
      provider: this.provider,
      model: this.model,
      ...usage,
      latencyMs: Date.now() - scope.startedAt,
      outcome,
      attempts: scope.attempts,
    };
    this.metrics.record(record);
    span.setAttributes({
      'gen_ai.usage.input_tokens': usage.promptTokens,
      'gen_ai.usage.output_tokens': usage.completionTokens,
      'voicebox.llm.outcome': outcome,
      'voicebox.llm.attempts': record.attempts,
    });
    span.end();
    this.logger.info(
      {
        ...this.labels(),
        outcome,
        attempts: record.attempts,
        prompt_tokens: usage.promptTokens,
        completion_tokens: usage.completionTokens,
        latency_ms: record.latencyMs,
      },
      'llm call',
    );
    try {
      ctx.onUsage?.(record);
    } catch (err) {
      this.logger.warn({ err }, 'llm usage callback failed');
    }
  }

  private labels() {
    return { llm_role: this.role, llm_provider: this.provider, llm_model: this.model };
  }
}

/** The provider's own words, for the log (the logger scrubs configured secrets). */
function describe(f: ReturnType<LlmProvider['classify']>): Record<string, unknown> {
  switch (f.kind) {
    case 'http':
      return { kind: f.kind, status: f.status, message: f.message };
    case 'connection':
    case 'invalid_setup':
      return { kind: f.kind, message: f.message };
    case 'aborted':
      return { kind: f.kind };
  }
}
