import { describe, expect, it } from 'vitest';
import { AccessLogSampler } from './access-log-sampler.js';

const logged = (s: AccessLogSampler, n: number, status = 200, ms = 1) =>
  Array.from({ length: n }, () => s.shouldLog(status, ms)).filter(Boolean).length;

describe('AccessLogSampler', () => {
  it('writes every line at 100 %', () => {
    expect(logged(new AccessLogSampler(100, 1000), 50)).toBe(50);
  });

  it('writes exactly the given share of fast successful requests, evenly spread', () => {
    const s = new AccessLogSampler(10, 1000);
    expect(Array.from({ length: 20 }, () => s.shouldLog(200, 1))).toEqual(
      Array.from({ length: 20 }, (_, i) => i % 10 === 9),
    );
    expect(logged(new AccessLogSampler(25, 1000), 1000)).toBe(250);
    expect(logged(new AccessLogSampler(0, 1000), 1000)).toBe(0);
  });

  it('always writes 4xx, 5xx and slow requests, whatever the share', () => {
    const s = new AccessLogSampler(0, 500);
    expect(logged(s, 10, 404)).toBe(10);
    expect(logged(s, 10, 503)).toBe(10);
    expect(logged(s, 10, 200, 500)).toBe(10);
    expect(logged(s, 10, 204, 499)).toBe(0);
  });
});
