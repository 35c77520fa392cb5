import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Identity } from './identity.js';

/** The caller established by the guard. */
export const CurrentIdentity = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Identity => {
    const request = ctx.switchToHttp().getRequest<FastifyRequest & { identity?: Identity }>();
    if (!request.identity)
      throw new Error('CurrentIdentity used on a route without an auth policy');
    return request.identity;
  },
);
