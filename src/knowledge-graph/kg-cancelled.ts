import { DomainError } from '../common/errors/domain-error.js';

/** The caller of a knowledge-graph operation went away before its answer (503 kg.cancelled). */
export function kgCancelled(cause?: unknown): DomainError {
  return new DomainError('unavailable', 'kg.cancelled', 'The request was cancelled.', { cause });
}
