import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { auditEntryOf, isAuditedRoute } from './audit-entry.js';
import { AuditController } from './audit.controller.js';
import { AuditTrailRepository } from './audit-trail.repository.js';
import { AuditTrailWriter } from './audit-trail.writer.js';

/**
 * Queues an audit entry when a voicebox response is done. A Fastify hook rather than an interceptor,
 * so that requests refused before a handler (401, 400, 429) are on the trail too.
 */
@Injectable()
class AuditTrailHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly writer: AuditTrailWriter,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? request.url;
      if (isAuditedRoute(route)) this.writer.write(auditEntryOf(request, reply));
      done();
    });
  }
}

/** The audit trail: stored in PostgreSQL off the request path, read by admins. */
@Module({
  controllers: [AuditController],
  providers: [AuditTrailRepository, AuditTrailWriter, AuditTrailHook],
  exports: [AuditTrailWriter],
})
export class AuditModule {}
