import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { RequestValidationError } from '../common/errors/domain-error.js';
import { missingCredentials } from './auth-errors.js';

/** The bearer token of `Authorization`, or a 401 with the bare challenge (RFC 6750 §3.1). */
export function bearerTokenOf(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (header === undefined || header.trim() === '') {
    throw missingCredentials('Authentication required: send Authorization: Bearer <token>');
  }
  const match = /^Bearer +(\S+)\s*$/i.exec(header);
  if (!match) {
    throw missingCredentials('Unsupported authorization scheme: use Authorization: Bearer <token>');
  }
  return match[1];
}

/** A single-valued header, or undefined. */
export function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

// Printable ASCII; the contract says "under 255 characters".
const CLIENT_ID = /^[\x20-\x7E]{1,254}$/;

/**
 * X-Client-Id, required on voicebox routes: the end user. Where clients cannot set headers (OpenAI
 * chat front ends), the route may name a body field (`user`) that serves when the header is absent.
 */
export function clientIdOf(request: FastifyRequest, userField?: string): string {
  let value = headerOf(request, 'x-client-id');
  let field = 'X-Client-Id';
  if ((value === undefined || value === '') && userField) {
    const body = request.body as Record<string, unknown> | undefined;
    const fromBody = body && typeof body === 'object' ? body[userField] : undefined;
    if (typeof fromBody === 'string' && fromBody !== '') {
      value = fromBody;
      field = userField;
    }
  }
  if (value === undefined || value === '') {
    const reason = userField
      ? `header is required (or \`${userField}\` in the body)`
      : 'header is required';
    throw new RequestValidationError([{ field: 'X-Client-Id', reason }]);
  }
  if (!CLIENT_ID.test(value)) {
    throw new RequestValidationError([
      { field, reason: 'must be 1–254 printable ASCII characters' },
    ]);
  }
  return value;
}

/**
 * Constant-time comparison for the static admin token: hashing first makes both sides the same
 * length, so neither the content nor the length leaks through timing.
 */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
