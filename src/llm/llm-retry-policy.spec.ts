import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './llm-provider.js';
import { retryDelayMs } from './llm-retry-policy.js';

const tuning = { maxRetries: 2, retryBaseDelayMs: 400, retryMaxDelayMs: 5000 };
const http = (status: number, retryAfterMs?: number) => ({
  kind: 'http' as const,
  status,
  retryAfterMs,
  message: '',
});

describe('retryDelayMs', () => {
  it('retries connection errors, 408, 429 and 5xx; not other 4xx', () => {
    expect(retryDelayMs({ kind: 'connection', message: '' }, 0, tuning)).toBeDefined();
    for (const s of [408, 429, 500, 502, 503, 529])
      expect(retryDelayMs(http(s), 0, tuning)).toBeDefined();
    for (const s of [400, 401, 403, 404, 422])
      expect(retryDelayMs(http(s), 0, tuning)).toBeUndefined();
    expect(retryDelayMs({ kind: 'aborted' }, 0, tuning)).toBeUndefined();
  });

  it('stops after maxRetries', () => {
    expect(retryDelayMs(http(503), 1, tuning)).toBeDefined();
    expect(retryDelayMs(http(503), 2, tuning)).toBeUndefined();
  });

  it('backs off exponentially with equal jitter: half the ceiling plus a random share of the other half', () => {
    // Ceiling 400 ms on the first retry: never less than 200 ms (full jitter would allow 0).
    expect(retryDelayMs(http(503), 0, tuning, () => 0)).toBe(200);
    expect(retryDelayMs(http(503), 0, tuning, () => 0.5)).toBe(300);
    expect(retryDelayMs(http(503), 0, tuning, () => 1)).toBe(400);
    expect(retryDelayMs(http(503), 1, tuning, () => 0)).toBe(400);
    expect(retryDelayMs(http(503), 1, tuning, () => 1)).toBe(800);
    // The ceiling stops at retryMaxDelayMs.
    expect(retryDelayMs(http(503), 1, { ...tuning, retryMaxDelayMs: 500 }, () => 0)).toBe(250);
    expect(retryDelayMs(http(503), 1, { ...tuning, retryMaxDelayMs: 500 }, () => 1)).toBe(500);
  });

  it('honours Retry-After up to the cap, and gives up beyond it', () => {
    expect(retryDelayMs(http(429, 3000), 0, tuning)).toBe(3000);
    expect(retryDelayMs(http(429, 6000), 0, tuning)).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  const headers = (h: Record<string, string>) => (n: string) => h[n];
  it('reads seconds, an HTTP date and retry-after-ms', () => {
    expect(parseRetryAfter(headers({ 'retry-after': '3' }))).toBe(3000);
    expect(parseRetryAfter(headers({ 'retry-after-ms': '250' }))).toBe(250);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:10 GMT' }), now)).toBe(
      10_000,
    );
    expect(parseRetryAfter(headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(parseRetryAfter(headers({}))).toBeUndefined();
  });
});
