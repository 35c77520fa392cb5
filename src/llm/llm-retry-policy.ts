import type { ProviderFailure } from './llm-provider.js';

export interface RetryTuning {
  maxRetries: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
}

/**
 * How long to wait before retry number `attempt` (0-based), or undefined to give up. Connection
 * errors, 408, 429 and 5xx are retried; Retry-After is honoured as given. Otherwise exponential
 * backoff with "equal jitter": half the ceiling plus a random share of the other half. The jitter
 * keeps many callers from retrying in step; the fixed half keeps a retry from following an
 * overloaded gateway's 503 almost at once, which full jitter (0 to the ceiling) allows. A
 * Retry-After longer than the cap is not waited for: the caller gets a 429 with it at once.
 */
export function retryDelayMs(
  failure: ProviderFailure,
  attempt: number,
  tuning: RetryTuning,
  random: () => number = Math.random,
): number | undefined {
  if (attempt >= tuning.maxRetries) return undefined;
  const retryable =
    failure.kind === 'connection' ||
    (failure.kind === 'http' &&
      (failure.status === 408 || failure.status === 429 || failure.status >= 500));
  if (!retryable) return undefined;
  if (failure.kind === 'http' && failure.retryAfterMs !== undefined) {
    return failure.retryAfterMs <= tuning.retryMaxDelayMs ? failure.retryAfterMs : undefined;
  }
  const ceiling = Math.min(tuning.retryMaxDelayMs, tuning.retryBaseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
