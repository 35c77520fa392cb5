import { Module, type DynamicModule } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { AppConfig } from '../config/app-config.js';
import { RateLimitInterceptor } from './rate-limit.interceptor.js';
import { RateLimitRepository } from './rate-limit.repository.js';
import { RateLimiter } from './rate-limiter.js';

/** Per app key and per client id request limits, shared by replicas through PostgreSQL. */
@Module({})
export class RateLimitModule {
  /**
   * The interceptor is registered only when a limit is set: a global interceptor, even one that
   * passes every request straight on, puts an RxJS pipeline around every route (about 6 % of a
   * request's CPU on GET /api/v1/app, bench/http.bench.js).
   */
  static forRoot(limits: AppConfig['rateLimit']): DynamicModule {
    const enabled = limits.perKey > 0 || limits.perClient > 0;
    return {
      module: RateLimitModule,
      providers: [
        RateLimitRepository,
        RateLimiter,
        ...(enabled ? [{ provide: APP_INTERCEPTOR, useClass: RateLimitInterceptor }] : []),
      ],
      exports: [RateLimiter],
    };
  }
}
