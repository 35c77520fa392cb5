import { DomainError } from '../common/errors/domain-error.js';

/**
 * The refusals of the auth layer, with RFC 6750 challenges. Descriptions never contain the token:
 * they are built from fixed text and claim names only.
 */
const REALM = 'Bearer realm="voicebox"';

// RFC 6750 §3: error_description is limited to %x20-21 / %x23-5B / %x5D-7E (no quote, no backslash).
const quotable = (text: string) => text.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '?');

/** No credentials at all (or another scheme): the bare challenge, no error code (RFC 6750 §3.1). */
export function missingCredentials(message: string): DomainError {
  return new DomainError('unauthenticated', 'auth.missing_token', message, {
    headers: { 'WWW-Authenticate': REALM },
  });
}

/** A token that is malformed, badly signed, expired, for someone else, or unknown. */
export function invalidToken(code: string, description: string): DomainError {
  return new DomainError('unauthenticated', `auth.${code}`, `Invalid token: ${description}`, {
    headers: {
      'WWW-Authenticate': `${REALM}, error="invalid_token", error_description="${quotable(description)}"`,
    },
  });
}

/** Valid credentials, missing the scopes the route needs. */
export function insufficientScope(required: readonly string[]): DomainError {
  const scope = quotable(required.join(' '));
  return new DomainError(
    'forbidden',
    'auth.insufficient_scope',
    `The token lacks the required scope(s): ${required.join(' ')}`,
    {
      details: { required_scopes: [...required] },
      headers: {
        'WWW-Authenticate': `${REALM}, error="insufficient_scope", error_description="missing required scope", scope="${scope}"`,
      },
    },
  );
}

/** A kind of credential that is not configured on this deployment. */
export function authNotConfigured(code: string, message: string): DomainError {
  return new DomainError('unauthenticated', `auth.${code}`, message, {
    headers: { 'WWW-Authenticate': REALM },
  });
}

/** The IdP's key set cannot be fetched: not the client's fault, so 503 and not 401. */
export function jwksUnavailable(retryAfterSeconds: number, cause?: unknown): DomainError {
  return new DomainError(
    'unavailable',
    'auth.jwks_unavailable',
    'The signing keys of the identity provider are unavailable; retry later',
    { headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) }, cause },
  );
}
