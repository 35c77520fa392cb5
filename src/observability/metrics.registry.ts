import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus registry. A class so that other modules inject it and register their own
 * metrics (LLM usage, SPARQL latency) on the same /metrics page.
 */
export class MetricsRegistry {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status_code'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'voicebox_' });
    this.httpRequests = new Counter({
      name: 'voicebox_http_requests_total',
      help: 'HTTP requests served, by route template and status',
      labelNames: ['method', 'route', 'status_code'],
      registers: [this.registry],
    });
    this.httpDuration = new Histogram({
      name: 'voicebox_http_request_duration_seconds',
      help: 'HTTP request duration in seconds, by route template and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [this.registry],
    });
  }
}
