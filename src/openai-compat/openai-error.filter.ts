import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from '../common/errors/all-exceptions.filter.js';

/**
 * The service's error body plus OpenAI's `error` object: OpenAI clients read the message from
 * `error.message` and show "no body" without it.
 */
@Catch()
export class OpenAiErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost) {
    const http = host.switchToHttp();
    sendError(
      exception,
      http.getRequest<FastifyRequest>(),
      http.getResponse<FastifyReply>(),
      (body) => ({
        ...body,
        error: {
          message: body.message,
          type: body.code.split('.')[0],
          code: body.code,
          param: null,
        },
      }),
    );
  }
}
