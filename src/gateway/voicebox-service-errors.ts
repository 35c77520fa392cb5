import { DomainError, type ErrorKind } from '../common/errors/domain-error.js';

/**
 * The ways a forwarded call fails, as the gateway's caller sees them. Messages never carry a token
 * or the app key; the Voicebox Service's own messages are repeated only where they are the
 * caller's business (a bad request, an unknown conversation, a failed dependency of its own).
 */
const RETRY_AFTER_SECONDS = 5;

/** The Voicebox Service cannot be reached (refused, reset, DNS): retry later. */
export function voiceboxServiceUnavailable(cause: unknown): DomainError {
  return new DomainError(
    'unavailable',
    'voicebox_service.unavailable',
    'The Voicebox Service cannot be reached; retry later',
    { headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) }, cause },
  );
}

/** No answer within VOICEBOX_SERVICE_TIMEOUT_SECONDS. */
export function voiceboxServiceTimeout(seconds: number): DomainError {
  return new DomainError(
    'dependency_timeout',
    'voicebox_service.timeout',
    `The Voicebox Service did not answer within ${seconds} s`,
  );
}

/**
 * The Voicebox Service refused the gateway's credentials (401/403): the exchanged token's audience
 * or scope, or the app key's database, do not match its settings. An operator's problem.
 */
export function voiceboxServiceRefused(status: number, code: string | undefined): DomainError {
  return new DomainError(
    'dependency_failed',
    'voicebox_service.refused',
    `The Voicebox Service refused this gateway's credentials (${status}${code ? ` ${code}` : ''}); the gateway log names the settings to check`,
    { details: { upstream_status: status, ...(code && { upstream_code: code }) } },
  );
}

/** A 5xx without meaning for the caller, or an answer that is not the voicebox API's. */
export function voiceboxServiceFailed(status: number, what: string): DomainError {
  return new DomainError(
    'dependency_failed',
    'voicebox_service.failed',
    `The Voicebox Service failed: ${what}`,
    { details: { upstream_status: status } },
  );
}

/** The stream broke or ended before its last line (`pending: false`). */
export function voiceboxServiceStreamBroken(what: string, cause?: unknown): DomainError {
  return new DomainError(
    'dependency_failed',
    'voicebox_service.stream_broken',
    `The Voicebox Service's stream ${what}`,
    { cause },
  );
}

const PASSED_THROUGH: Record<number, ErrorKind> = {
  400: 'invalid_input',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  502: 'dependency_failed',
  503: 'unavailable',
  504: 'dependency_timeout',
};

/**
 * The Voicebox Service's error answer as this gateway's: the caller's own mistakes (400, 404, …)
 * and the Voicebox Service's failed dependencies (502/503/504, e.g. its LLM) keep their status, code
 * and message; anything else becomes a 502. Null for the 401/403 case, which the caller maps.
 */
export function passedThrough(
  status: number,
  body: Record<string, unknown> | null,
  retryAfter: string | null,
): DomainError | null {
  const kind = PASSED_THROUGH[status];
  if (!kind) return null;
  const { message, code, status: _status, ...details } = body ?? {};
  void _status;
  return new DomainError(
    kind,
    typeof code === 'string' ? code : `voicebox_service.http_${status}`,
    typeof message === 'string' ? message : `The Voicebox Service answered ${status}`,
    { details, headers: retryAfter ? { 'Retry-After': retryAfter } : undefined },
  );
}
