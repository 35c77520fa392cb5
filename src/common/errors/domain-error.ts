/**
 * What went wrong, in the domain's words. The exception filter maps each kind to one HTTP status, so
 * services never import HTTP exceptions and every module's errors answer the same way.
 */
export type ErrorKind =
  | 'invalid_input' // 400
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not_found' // 404
  | 'conflict' // 409
  | 'payload_too_large' // 413
  | 'unsupported_media_type' // 415
  | 'rate_limited' // 429
  | 'dependency_failed' // 502
  | 'unavailable' // 503
  | 'dependency_timeout'; // 504

export interface FieldProblem {
  field: string;
  reason: string;
}

export interface DomainErrorOptions {
  /** Extra JSON fields for the client (never secrets). */
  details?: Record<string, unknown>;
  /** Response headers, such as WWW-Authenticate or Retry-After. */
  headers?: Record<string, string>;
  /** The underlying error, for the log only. */
  cause?: unknown;
}

export class DomainError extends Error {
  readonly details?: Record<string, unknown>;
  readonly headers?: Record<string, string>;

  constructor(
    readonly kind: ErrorKind,
    /** A stable machine-readable code, e.g. `config.invalid`, `kg.timeout`. */
    readonly code: string,
    message: string,
    options: DomainErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'DomainError';
    this.details = options.details;
    this.headers = options.headers;
  }
}

/** A request that does not pass validation: names each bad field and why. */
export class RequestValidationError extends DomainError {
  constructor(readonly problems: FieldProblem[]) {
    super(
      'invalid_input',
      'request.invalid',
      `Invalid request: ${problems.map((p) => `${p.field} ${p.reason}`).join('; ')}`,
      { details: { errors: problems } },
    );
  }
}

export const STATUS_BY_KIND: Record<ErrorKind, number> = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  dependency_failed: 502,
  unavailable: 503,
  dependency_timeout: 504,
};
