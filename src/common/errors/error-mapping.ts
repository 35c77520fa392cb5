import { HttpException } from '@nestjs/common';
import { DomainError, STATUS_BY_KIND } from './domain-error.js';

export interface ErrorReply {
  status: number;
  body: { message: string; code: string; status: number; [k: string]: unknown };
  headers: Record<string, string>;
  /** Unexpected: log with the stack at error level. */
  unexpected: boolean;
}

// Fastify's own errors (body parsing, content type, limits) carry a code; their messages are safe to
// show and tell the client what to fix.
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'request.invalid_content_length',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'request.empty_json_body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'request.invalid_json',
};

// Errors Fastify raises before any route runs (handed to the filter through `frameworkErrors`).
const ROUTING_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_BAD_URL: {
    status: 400,
    code: 'request.bad_url',
    message: 'The URL is not valid: a %-escape does not decode',
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    code: 'request.uri_too_long',
    message: 'A path segment is longer than the service accepts',
  },
};

const CODE_BY_STATUS: Record<number, string> = {
  404: 'route.not_found',
  405: 'route.method_not_allowed',
  413: 'request.too_large',
  415: 'request.unsupported_media_type',
};

/** One mapping from anything thrown to the JSON error reply. Never exposes a stack or internals. */
export function toErrorReply(err: unknown): ErrorReply {
  if (err instanceof DomainError) {
    const status = STATUS_BY_KIND[err.kind];
    return {
      status,
      body: { message: err.message, code: err.code, status, ...err.details },
      headers: err.headers ?? {},
      unexpected: false,
    };
  }
  const routing = ROUTING_ERRORS[(err as { code?: string } | null)?.code ?? ''];
  if (routing) {
    const { status, code, message } = routing;
    return { status, body: { message, code, status }, headers: {}, unexpected: false };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const response = err.getResponse();
    const raw =
      typeof response === 'string' ? response : (response as { message?: unknown }).message;
    const message = Array.isArray(raw)
      ? raw.map(String).join('; ')
      : typeof raw === 'string'
        ? raw
        : err.message;
    // Fastify's parser errors arrive wrapped by Nest, with the original as the cause.
    const fastifyCode = (err.cause as { code?: unknown } | undefined)?.code;
    const code =
      (typeof fastifyCode === 'string' ? FASTIFY_CODES[fastifyCode] : undefined) ??
      CODE_BY_STATUS[status] ??
      `http.${status}`;
    return {
      status,
      body: { message, code, status },
      headers: {},
      unexpected: status >= 500,
    };
  }
  return {
    status: 500,
    body: { message: 'Internal server error', code: 'internal', status: 500 },
    headers: {},
    unexpected: true,
  };
}
