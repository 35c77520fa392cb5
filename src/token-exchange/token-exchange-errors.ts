import { DomainError } from '../common/errors/domain-error.js';
import type { ExchangeHop } from './exchange-hop.js';

/**
 * The ways an exchange fails, as the client sees them (item 5 of issue 18). No message carries a
 * token or a secret: the server's description is cleaned before it is quoted.
 */
const REALM = 'Bearer realm="voicebox"';

const TARGET: Record<ExchangeHop, string> = {
  llm_gateway: 'the LLM gateway',
  voicebox_service: 'the Voicebox Service',
};

/** The authorization server is down, slow or overloaded: retry later; cached tokens still work. */
export function exchangeUnavailable(
  hop: ExchangeHop,
  retryAfterSeconds: number,
  why: string,
  cause?: unknown,
): DomainError {
  return new DomainError(
    'unavailable',
    'token_exchange.unavailable',
    `The authorization server could not exchange the token for ${TARGET[hop]} (${why}); retry later`,
    {
      headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
      details: { hop },
      cause,
    },
  );
}

/**
 * The server refused to exchange this user's token: 401 when the token itself is refused
 * (invalid_grant, invalid_request), 403 when the user may not have the target (invalid_scope,
 * invalid_target). The reason is the server's, cleaned.
 */
export function exchangeRefused(hop: ExchangeHop, error: string, reason: string): DomainError {
  const forbidden = error === 'invalid_scope' || error === 'invalid_target';
  const text = reason ? `${error}: ${reason}` : error;
  const message = `The authorization server refused to exchange the token for ${TARGET[hop]}: ${text}`;
  const challenge = forbidden
    ? `${REALM}, error="insufficient_scope", error_description="${quotable(text)}"`
    : `${REALM}, error="invalid_token", error_description="${quotable(text)}"`;
  return new DomainError(
    forbidden ? 'forbidden' : 'unauthenticated',
    'token_exchange.refused',
    message,
    { headers: { 'WWW-Authenticate': challenge }, details: { hop, error, reason } },
  );
}

/** This service's own client was refused: an operator's problem, named in the error log. */
export function exchangeClientRefused(hop: ExchangeHop, error: string): DomainError {
  return new DomainError(
    'dependency_failed',
    'token_exchange.client_refused',
    `The authorization server refused this service's client (${error}) while exchanging the token for ${TARGET[hop]}; the service log names the setting to fix`,
    { details: { hop, error } },
  );
}

/** An answer that is not a token response (or a discovery document without a token endpoint). */
export function exchangeBadResponse(hop: ExchangeHop, what: string): DomainError {
  return new DomainError(
    'dependency_failed',
    'token_exchange.bad_response',
    `The authorization server gave an unusable answer while exchanging the token for ${TARGET[hop]}: ${what}`,
    { details: { hop } },
  );
}

// RFC 6750 §3: error_description is limited to %x20-21 / %x23-5B / %x5D-7E.
const quotable = (text: string) => text.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '?');

/**
 * A server's error_description made safe to repeat: printable, short, with anything shaped like a
 * token (a JWS, a long opaque string) or the subject token itself removed.
 */
export function cleanDescription(description: unknown, subjectToken: string): string {
  if (typeof description !== 'string') return '';
  let text = description.split(subjectToken).join('[REDACTED]');
  text = text
    .replace(/eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*/g, '[REDACTED]')
    .replace(/[A-Za-z0-9_\-+/=.~]{40,}/g, '[REDACTED]')
    .replace(/[^\x20-\x7E]/g, ' ')
    .trim();
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
