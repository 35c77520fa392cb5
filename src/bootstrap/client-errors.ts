import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * Node's HTTP parser refuses a request before Fastify sees it (a control character in a header, a
 * malformed request line, headers too large). Fastify's default answer is its own JSON shape; this
 * one answers in ours, with a request id in the body and in `X-Request-Id`, and logs the refusal
 * under that id. There is no request object yet, so the reply is written to the socket directly.
 */
export function clientErrorHandler(
  this: FastifyInstance,
  err: Error & { code?: string },
  socket: Socket,
): void {
  // A reset connection has nobody left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const requestId = randomUUID();
  const [status, code, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'request.timeout', 'The request was not received in time']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'request.headers_too_large', 'The request headers are too large']
        : [
            400,
            'request.malformed',
            'The request is not valid HTTP (e.g. a control character in a header)',
          ];
  this.log.info(
    { request_id: requestId, status, parser: err.code },
    'request refused by the HTTP parser',
  );
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ message, code, status, request_id: requestId });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${requestId}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
