import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { RateLimitInterceptor } from './rate-limit.interceptor.js';
import { RateLimitRepository } from './rate-limit.repository.js';
import { RateLimiter } from './rate-limiter.js';

/** Per app key and per client id request limits, shared by replicas through PostgreSQL. */
@Module({
  providers: [
    RateLimitRepository,
    RateLimiter,
    { provide: APP_INTERCEPTOR, useClass: RateLimitInterceptor },
  ],
  exports: [RateLimiter],
})
export class RateLimitModule {}
