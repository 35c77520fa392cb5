import { DomainError } from '../common/errors/domain-error.js';
import type { ProviderFailure } from './llm-provider.js';
import type { LlmCallOutcome } from './llm-types.js';

/** `limit`: what the service can still do without one, appended to the message. */
export function llmNotConfigured(limit?: string): DomainError {
  return new DomainError(
    'unavailable',
    'llm.not_configured',
    `No language model is configured (set VBX_CONFIG_FILE with a default_llm_config)${limit ? `; ${limit}` : ''}`,
  );
}

export function llmTimeout(provider: string, timeoutMs: number): DomainError {
  return new DomainError(
    'dependency_timeout',
    'llm.timeout',
    `The language model (${provider}) did not answer within ${Math.round(timeoutMs / 1000)} s`,
  );
}

export function llmAborted(provider: string): DomainError {
  return new DomainError(
    'dependency_failed',
    'llm.aborted',
    `The call to the language model (${provider}) was cancelled`,
  );
}

/**
 * The client sees a short message of ours; the provider's own message goes to the log only, since
 * providers sometimes echo request headers or key fragments in it.
 */
export function llmFailure(
  provider: string,
  failure: ProviderFailure,
  cause: unknown,
): DomainError {
  switch (failure.kind) {
    case 'http':
      if (failure.status === 429) {
        const seconds = Math.max(1, Math.ceil((failure.retryAfterMs ?? 1000) / 1000));
        return new DomainError(
          'rate_limited',
          'llm.rate_limited',
          `The language model (${provider}) is rate limiting; retry in ${seconds} s`,
          { headers: { 'Retry-After': String(seconds) }, cause },
        );
      }
      return new DomainError(
        'dependency_failed',
        'llm.provider_error',
        `The language model (${provider}) failed the call (status ${failure.status})`,
        { details: { provider_status: failure.status }, cause },
      );
    case 'connection':
      return new DomainError(
        'dependency_failed',
        'llm.unreachable',
        `The language model (${provider}) could not be reached`,
        { cause },
      );
    case 'invalid_setup':
      return new DomainError(
        'dependency_failed',
        'llm.credentials',
        `The credentials for the language model (${provider}) could not be obtained`,
        { cause },
      );
    case 'aborted':
      return llmAborted(provider);
  }
}

export function outcomeOf(err: unknown): LlmCallOutcome {
  if (!(err instanceof DomainError)) return 'error';
  if (err.code === 'llm.rate_limited') return 'rate_limited';
  if (err.code === 'llm.timeout') return 'timeout';
  if (err.code === 'llm.aborted') return 'aborted';
  return 'error';
}
