import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AppConfig } from '../config/app-config.js';
import { MetricsRegistry } from '../observability/metrics.registry.js';
import { AdminAuthThrottle } from './admin-auth-throttle.js';
import { AuthGuard } from './auth.guard.js';
import { JwtVerifiers } from './jwt-verifiers.js';

/**
 * Authentication for every route: one global guard reading each route's policy (common/http/route-policy.decorators.ts).
 * The app-key check is a port (AppKeyVerifier) implemented by the apps module.
 */
@Module({
  providers: [
    {
      provide: JwtVerifiers,
      inject: [AppConfig, MetricsRegistry],
      useFactory: (config: AppConfig, metrics: MetricsRegistry) =>
        JwtVerifiers.fromConfig(config, metrics),
    },
    {
      provide: AdminAuthThrottle,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        new AdminAuthThrottle(config.admin.maxFailuresPerMinute, 60_000),
    },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [JwtVerifiers],
})
export class AuthModule {}
