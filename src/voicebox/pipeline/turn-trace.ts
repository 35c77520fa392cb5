import type { AuditedLlmCall } from '../../observability/request-audit.js';
import type { LlmMessage, LlmUsageRecord } from '../../llm/llm-types.js';
import { NoTracing, type Tracing } from '../../observability/tracing.js';
import type { AskAction } from '../ask-types.js';

/** The audit record's view of a call, tagged with the pipeline step instead of the LLM role. */
export interface TracedLlmCall extends Omit<AuditedLlmCall, 'role'> {
  step: string;
}

/**
 * What one turn did, step by step: durations, LLM calls with their tokens, and (for `#debug`) the
 * prompts and grounding given to the model. Steps run one after another, so the step a call
 * belongs to is simply the one running.
 */
export class TurnTrace {
  readonly timings: Record<string, number> = {};
  readonly llmCalls: TracedLlmCall[] = [];
  readonly prompts: { step: string; messages: LlmMessage[] }[] = [];
  readonly grounding: Record<string, unknown> = {};
  private step = 'start';
  /** The stores' own time for every query of the turn (validation lookups included), in ms. */
  private storeMs = 0;

  /** Each step is also a span (`voicebox.<step>`), the parent of its LLM calls and queries. */
  constructor(private readonly tracing: Tracing = new NoTracing()) {}

  async time<T>(step: string, work: () => Promise<T>): Promise<T> {
    const previous = this.step;
    this.step = step;
    const started = performance.now();
    try {
      return await this.tracing.inSpan(`voicebox.${step}`, { 'voicebox.step': step }, work);
    } finally {
      const ms = Math.round((performance.now() - started) * 10) / 10;
      this.timings[step] = Math.round(((this.timings[step] ?? 0) + ms) * 10) / 10;
      this.step = previous;
    }
  }

  readonly onUsage = (u: LlmUsageRecord): void => {
    this.llmCalls.push({
      step: this.step,
      provider: u.provider,
      model: u.model,
      promptTokens: u.promptTokens,
      completionTokens: u.completionTokens,
      latencyMs: u.latencyMs,
      outcome: u.outcome,
    });
  };

  readonly onStoreTime = (ms: number): void => {
    this.storeMs += ms;
  };

  /** The stores' own time for every query of the turn so far, in ms. */
  get storeTotalMs(): number {
    return Math.round(this.storeMs * 100) / 100;
  }

  prompt(messages: LlmMessage[]): void {
    this.prompts.push({ step: this.step, messages });
  }

  get promptTokens(): number {
    return this.llmCalls.reduce((n, c) => n + c.promptTokens, 0);
  }

  get completionTokens(): number {
    return this.llmCalls.reduce((n, c) => n + c.completionTokens, 0);
  }

  /** The `#debug` actions. */
  debugActions(): AskAction[] {
    return [
      { type: 'debug_prompts', label: 'Prompts', value: this.prompts },
      { type: 'debug_grounding', label: 'Schema and Entities Given', value: this.grounding },
      { type: 'debug_llm_calls', label: 'LLM Calls', value: this.llmCalls },
      {
        type: 'debug_timings',
        label: 'Step Durations (ms)',
        // `store_total` spans steps: what the stores took of them, so the rest is the service's own.
        value: { ...this.timings, store_total: Math.round(this.storeMs * 10) / 10 },
      },
    ];
  }
}
