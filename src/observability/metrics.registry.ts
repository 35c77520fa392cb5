import { Registry, collectDefaultMetrics } from 'prom-client';
import { HttpRequestHistogram } from './http-request-histogram.js';

/**
 * The process's Prometheus registry. A class so that other modules inject it and register their own
 * metrics (LLM usage, SPARQL latency) on the same /metrics page.
 */
export class MetricsRegistry {
  readonly registry = new Registry();
  readonly httpDuration: HttpRequestHistogram;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'voicebox_' });
    this.httpDuration = new HttpRequestHistogram(this.registry);
  }
}
