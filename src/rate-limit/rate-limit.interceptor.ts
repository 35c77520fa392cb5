import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { from, switchMap, type Observable } from 'rxjs';
import type { Identity } from '../auth/identity.js';
import { RateLimiter } from './rate-limiter.js';

/**
 * Counts every request authenticated with an app key (the voicebox routes) once the guard has said
 * who it is; other routes (probes, admin, docs) are not limited.
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor {
  constructor(private readonly limiter: RateLimiter) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.limiter.enabled) return next.handle();
    const identity = context
      .switchToHttp()
      .getRequest<FastifyRequest & { identity?: Identity }>().identity;
    if (identity?.kind !== 'app-key') return next.handle();
    const subject = { keyId: identity.keyId, appId: identity.app.id, clientId: identity.clientId };
    return from(this.limiter.check(subject)).pipe(switchMap(() => next.handle()));
  }
}
