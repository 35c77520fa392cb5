/**
 * Which request lines the access log writes. Every 4xx, 5xx and slow request is written; of the
 * fast successful ones, `samplePercent` in a hundred, spread evenly (a credit counter, not chance,
 * so 10 % is exactly every tenth line). Writing a line is the largest per-request cost of the service
 * (measured: a few µs a line); the metrics still count every request.
 */
export class AccessLogSampler {
  private credit = 0;

  constructor(
    private readonly samplePercent: number,
    private readonly slowMs: number,
  ) {}

  shouldLog(status: number, durationMs: number): boolean {
    if (status >= 400 || durationMs >= this.slowMs || this.samplePercent >= 100) return true;
    this.credit += this.samplePercent;
    if (this.credit < 100) return false;
    this.credit -= 100;
    return true;
  }
}
