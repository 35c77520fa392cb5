import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorReply } from './error-mapping.js';

/** The one exception filter: every error becomes `{ message, code, status, request_id, ... }`. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost) {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    sendError(exception, request, reply);
  }
}

/** The error body as sent; a face speaking another protocol may add its own fields to it. */
export type ErrorBody = ReturnType<typeof toErrorReply>['body'] & { request_id: string };

export function sendError(
  exception: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  decorate: (body: ErrorBody) => object = (body) => body,
) {
  const mapped = toErrorReply(exception);
  if (mapped.unexpected) {
    request.log.error({ err: exception }, 'unhandled error');
  } else if (mapped.status >= 500) {
    request.log.warn({ err: exception, code: mapped.body.code }, mapped.body.message);
  } else {
    request.log.debug({ code: mapped.body.code }, mapped.body.message);
  }
  if (reply.sent || reply.raw.headersSent) {
    // A stream already started: the status is gone, end it so the client sees a truncated body.
    reply.raw.destroy();
    return;
  }
  void reply
    .status(mapped.status)
    .headers(mapped.headers)
    // Set here too: errors raised before routing never pass the hook that sets it.
    .header('x-request-id', request.id)
    .type('application/json; charset=utf-8')
    .send(decorate({ ...mapped.body, request_id: request.id }));
}
