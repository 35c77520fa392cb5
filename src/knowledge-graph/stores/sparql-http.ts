import type { Logger } from 'pino';
import { kgCancelled } from '../kg-cancelled.js';
import { DomainError } from '../../common/errors/domain-error.js';
import type { KgConnection, KgRequestContext } from '../kg-connection.js';
import type { QueryForm } from '../sparql-read-only-gate.js';
import { type SparqlBinding, type StoreResult } from './sparql-store.js';

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export interface HttpCall {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: URLSearchParams;
  /** The configured limit (VOICEBOX_QUERY_EXEC_TIMEOUT_SECONDS), as the user knows it. */
  timeoutMs: number;
  /** Extra local wait beyond timeoutMs, when the server enforces the limit itself. */
  graceMs?: number;
  /** Bytes of the answer read before it is refused (VOICEBOX_QUERY_MAX_RESPONSE_BYTES). */
  maxResponseBytes: number;
  ctx: KgRequestContext;
  connection: KgConnection;
}

/**
 * fetch with the local deadline and the caller's cancellation; network failures become DomainErrors
 * (503 unreachable, 504 timeout). The body is read here, counted as it arrives, and refused past
 * `maxResponseBytes` (502 kg.answer_too_large) with the connection closed: a huge answer never sits
 * whole in memory. HTTP error statuses are left to the caller, which knows the protocol.
 */
export async function sparqlFetch(call: HttpCall): Promise<Response> {
  const deadline = AbortSignal.timeout(call.timeoutMs + (call.graceMs ?? 0));
  // Ours: closes the connection when the answer is refused for its size.
  const refuse = new AbortController();
  const signals = [deadline, refuse.signal, ...(call.ctx.signal ? [call.ctx.signal] : [])];
  try {
    const res = await fetch(call.url, {
      method: call.method,
      headers: call.headers,
      body: call.body,
      signal: AbortSignal.any(signals),
      redirect: 'error',
    });
    // Read the body under the same deadline: a server may send headers and then stall.
    const body = await readBounded(res, call, refuse);
    const bodiless = res.status === 204 || res.status === 205 || res.status === 304;
    return new Response(bodiless ? null : body, { status: res.status, headers: res.headers });
  } catch (err) {
    if (err instanceof DomainError) throw err;
    if (deadline.aborted) throw timeoutError(call.connection, call.timeoutMs, err);
    if (call.ctx.signal?.aborted) {
      throw kgCancelled(err);
    }
    const code = networkCode(err);
    throw new DomainError(
      'unavailable',
      'kg.unreachable',
      `The knowledge graph of connection '${call.connection.id}' is unreachable${code ? ` (${code})` : ''}; check the connection's endpoint and that the server is running.`,
      { cause: err, headers: { 'Retry-After': '30' } },
    );
  }
}

/** The body's bytes, up to the budget; a declared or actual length past it is refused unread. */
async function readBounded(
  res: Response,
  call: HttpCall,
  refuse: AbortController,
): Promise<Uint8Array> {
  const max = call.maxResponseBytes;
  const declared = Number(res.headers.get('content-length') ?? NaN);
  const tooLarge = () => {
    refuse.abort();
    return answerTooLarge(call.connection, max);
  };
  if (declared > max) throw tooLarge();
  if (!res.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

function answerTooLarge(connection: KgConnection, maxBytes: number): DomainError {
  return new DomainError(
    'dependency_failed',
    'kg.answer_too_large',
    `The knowledge graph of connection '${connection.id}' answered more than ${maxBytes} bytes (VOICEBOX_QUERY_MAX_RESPONSE_BYTES); ask for fewer rows or columns, or raise the limit.`,
  );
}

export function timeoutError(connection: KgConnection, timeoutMs: number, cause?: unknown) {
  return new DomainError(
    'dependency_timeout',
    'kg.timeout',
    `The knowledge graph of connection '${connection.id}' did not answer within ${timeoutMs / 1000} s (VOICEBOX_QUERY_EXEC_TIMEOUT_SECONDS); simplify the question or raise the limit.`,
    { cause },
  );
}

export function credentialRefused(connection: KgConnection, viaSdAuthToken: boolean) {
  return new DomainError(
    'unauthenticated',
    'kg.credential_refused',
    viaSdAuthToken
      ? `The knowledge graph refused the X-SD-Auth-Token (expired or not valid for connection '${connection.id}'); obtain a fresh token and send it in X-SD-Auth-Token.`
      : `The knowledge graph refused the stored credential of connection '${connection.id}'; re-authenticate the connection (update its credential) or send a valid token in X-SD-Auth-Token.`,
  );
}

function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The server's own words on an error: Stardog's `{message, code}` or the first bit of the text. */
export async function serverError(
  res: Response,
): Promise<{ message: string; code?: string; raw: string }> {
  const raw = (await res.text()).slice(0, 2000);
  try {
    const json = JSON.parse(raw) as { message?: unknown; code?: unknown };
    if (typeof json.message === 'string') {
      return {
        message: json.message,
        code: typeof json.code === 'string' ? json.code : undefined,
        raw,
      };
    }
  } catch {
    // not JSON: Virtuoso, Fuseki and GraphDB answer errors in plain text
  }
  return { message: raw.trim().slice(0, 500) || res.statusText, raw };
}

/**
 * Maps a non-2xx answer to a DomainError; the server's message and code go to the log (and the
 * message, which never holds secrets, to the client for 400s so a query can be mended).
 */
export async function httpStatusError(
  res: Response,
  call: HttpCall,
  log: Logger,
  notFound: () => DomainError,
): Promise<DomainError> {
  const err = await serverError(res);
  log.warn(
    {
      connection: call.connection.id,
      status: res.status,
      kgMessage: err.message,
      kgCode: err.code,
    },
    'knowledge graph answered with an error',
  );
  const status = res.status;
  if (status === 401 || status === 403)
    return credentialRefused(call.connection, !!call.ctx.sdAuthToken);
  if (status === 404) return notFound();
  if (status === 408 || status === 504) return timeoutError(call.connection, call.timeoutMs);
  if (status === 400) {
    return new DomainError(
      'invalid_input',
      'kg.query_rejected',
      `The knowledge graph rejected the query: ${err.message}`,
      {
        details: { kg_code: err.code ?? null },
      },
    );
  }
  if (status === 503) {
    return new DomainError(
      'unavailable',
      'kg.unavailable',
      `The knowledge graph of connection '${call.connection.id}' is unavailable (503); try again later.`,
    );
  }
  return new DomainError(
    'dependency_failed',
    'kg.query_failed',
    `The knowledge graph failed to run the query (HTTP ${status}): ${err.message.slice(0, 300)}`,
    { details: { kg_code: err.code ?? null } },
  );
}

/** Parses a successful answer according to the query form. */
export async function parseSparqlAnswer(
  res: Response,
  form: QueryForm,
  call: HttpCall,
): Promise<StoreResult> {
  const contentType = (res.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  const text = await res.text();
  if (form === 'CONSTRUCT' || form === 'DESCRIBE') {
    return { kind: 'graph', text, contentType: contentType || 'application/n-triples' };
  }
  let json: { boolean?: unknown; head?: { vars?: unknown }; results?: { bindings?: unknown } };
  try {
    json = JSON.parse(text) as typeof json;
  } catch (cause) {
    throw new DomainError(
      'dependency_failed',
      'kg.bad_answer',
      `The knowledge graph of connection '${call.connection.id}' answered with something other than SPARQL JSON results (${contentType || 'no content type'}).`,
      { cause },
    );
  }
  if (form === 'ASK') return { kind: 'boolean', value: json.boolean === true };
  const vars = Array.isArray(json.head?.vars) ? (json.head.vars as string[]) : [];
  const bindings = Array.isArray(json.results?.bindings)
    ? (json.results.bindings as SparqlBinding[])
    : [];
  return { kind: 'bindings', vars, bindings };
}
