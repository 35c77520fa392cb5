import type { Registry } from 'prom-client';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** One series (method, route, status) of the HTTP histogram, bound once and kept. */
export class HttpSeries {
  readonly counts = new Float64Array(BUCKETS.length);
  sum = 0;
  count = 0;

  constructor(readonly labels: { method: string; route: string; status_code: string }) {}

  observe(seconds: number): void {
    this.sum += seconds;
    this.count += 1;
    for (let i = 0; i < BUCKETS.length; i++) {
      if (seconds <= BUCKETS[i]) {
        this.counts[i] += 1;
        return;
      }
    }
  }
}

/**
 * `voicebox_http_request_duration_seconds{method,route,status_code}`: the one HTTP metric. Its
 * `_count` is the request count, so no separate counter is kept. The series are bound once per
 * (method, route, status) and observed directly: prom-client's Histogram validates and hashes the
 * labels on every observation (measured: about 4 µs a request with the counter).
 * Routes are templates (`unmatched` for 404s), so the set of series stays small.
 */
export class HttpRequestHistogram {
  readonly name = 'voicebox_http_request_duration_seconds';
  readonly help = 'HTTP request duration in seconds, by route template and status';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series: HttpSeries[] = [];
  // method → route → status: the method and route strings are the same objects on every request,
  // so these lookups hash nothing new, where a joined key would be built and hashed each time.
  private readonly index = new Map<string, Map<string, Map<number, HttpSeries>>>();

  constructor(registry: Registry) {
    registry.registerMetric(this as never);
  }

  seriesFor(method: string, route: string, status: number): HttpSeries {
    let byRoute = this.index.get(method);
    if (!byRoute) this.index.set(method, (byRoute = new Map<string, Map<number, HttpSeries>>()));
    let byStatus = byRoute.get(route);
    if (!byStatus) byRoute.set(route, (byStatus = new Map<number, HttpSeries>()));
    let s = byStatus.get(status);
    if (!s) {
      s = new HttpSeries({ method, route, status_code: String(status) });
      byStatus.set(status, s);
      this.series.push(s);
    }
    return s;
  }

  /** Called by the registry at scrape time, in prom-client's metric shape. */
  get() {
    const values: Array<{
      labels: Record<string, string | number>;
      value: number;
      metricName: string;
    }> = [];
    for (const s of this.series) {
      let cumulative = 0;
      for (let i = 0; i < BUCKETS.length; i++) {
        cumulative += s.counts[i];
        values.push({
          labels: { le: BUCKETS[i], ...s.labels },
          value: cumulative,
          metricName: `${this.name}_bucket`,
        });
      }
      values.push({
        labels: { le: '+Inf', ...s.labels },
        value: s.count,
        metricName: `${this.name}_bucket`,
      });
      values.push({ labels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    };
  }

  // The registry's other entry points (JSON output, reset) expect these.
  reset(): void {
    this.series.length = 0;
    this.index.clear();
  }
}
