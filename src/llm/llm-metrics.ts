import { Counter, Histogram } from 'prom-client';
import type { MetricsRegistry } from '../observability/metrics.registry.js';
import type { LlmUsageRecord } from './llm-types.js';

/** Token usage and latency of every LLM call, by provider and model, on the /metrics page. */
export class LlmMetrics {
  private readonly tokens: Counter<'provider' | 'model' | 'kind'>;
  private readonly duration: Histogram<'provider' | 'model' | 'outcome'>;

  constructor(metrics: MetricsRegistry) {
    this.tokens = new Counter({
      name: 'voicebox_llm_tokens_total',
      help: 'Tokens used by LLM calls, by provider, model and kind (prompt or completion)',
      labelNames: ['provider', 'model', 'kind'],
      registers: [metrics.registry],
    });
    this.duration = new Histogram({
      name: 'voicebox_llm_call_duration_seconds',
      help: 'Duration of LLM calls in seconds (retries included), by provider, model and outcome',
      labelNames: ['provider', 'model', 'outcome'],
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120],
      registers: [metrics.registry],
    });
  }

  record(u: LlmUsageRecord): void {
    const labels = { provider: u.provider, model: u.model };
    if (u.promptTokens) this.tokens.inc({ ...labels, kind: 'prompt' }, u.promptTokens);
    if (u.completionTokens) this.tokens.inc({ ...labels, kind: 'completion' }, u.completionTokens);
    this.duration.observe({ ...labels, outcome: u.outcome }, u.latencyMs / 1000);
  }
}
