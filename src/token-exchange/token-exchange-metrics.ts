import { Counter, Histogram } from 'prom-client';
import type { MetricsRegistry } from '../observability/metrics.registry.js';
import type { ExchangeHop } from './exchange-hop.js';
import type { CacheSource } from './token-exchange-cache.js';
import type { ExchangeOutcome } from './token-endpoint-client.js';

/** Exchanges by hop and outcome, cache lookups by result, and exchange latency, on /metrics. */
export class TokenExchangeMetrics {
  private readonly exchanges: Counter<'hop' | 'outcome'>;
  private readonly cache: Counter<'hop' | 'result'>;
  private readonly latency: Histogram<'hop' | 'outcome'>;

  constructor(metrics: MetricsRegistry) {
    this.exchanges = new Counter({
      name: 'voicebox_token_exchanges_total',
      help: 'Token exchanges sent to the authorization server, by hop and outcome',
      labelNames: ['hop', 'outcome'],
      registers: [metrics.registry],
    });
    this.cache = new Counter({
      name: 'voicebox_token_exchange_cache_total',
      help: 'Exchanged-token lookups, by hop and result (hit, miss, joined: waited for a running exchange)',
      labelNames: ['hop', 'result'],
      registers: [metrics.registry],
    });
    this.latency = new Histogram({
      name: 'voicebox_token_exchange_duration_seconds',
      help: 'Token exchange latency at the authorization server, by hop and outcome',
      labelNames: ['hop', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [metrics.registry],
    });
  }

  lookup(hop: ExchangeHop, result: CacheSource): void {
    this.cache.inc({ hop, result });
  }

  exchanged(hop: ExchangeHop, outcome: ExchangeOutcome, seconds: number): void {
    this.exchanges.inc({ hop, outcome });
    this.latency.observe({ hop, outcome }, seconds);
  }
}
