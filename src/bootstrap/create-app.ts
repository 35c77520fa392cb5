import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { NestFactory } from '@nestjs/core';
import type { ModuleMetadata, NestApplicationOptions } from '@nestjs/common';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AppModule } from '../app.module.js';
import { AllExceptionsFilter, sendError } from '../common/errors/all-exceptions.filter.js';
import type { AppConfig } from '../config/app-config.js';
import { MetricsRegistry } from '../observability/metrics.registry.js';
import { lazyChildLoggerFactory } from '../observability/lazy-request-logger.js';
import { NestPinoLogger } from '../observability/nest-logger.js';
import { observeRequests, requestIdOf } from '../observability/request-observer.js';
import { traceRequests } from '../observability/request-tracing.js';
import { Tracing } from '../observability/tracing.js';
import { clientErrorHandler } from './client-errors.js';
import { installJsonBodyParser } from './json-body.js';
import { installRequestIntake } from './request-intake.js';
import { buildOpenApiDocument, mountSwagger } from './swagger.js';
import { createValidationPipe } from './validation.pipe.js';
import { SERVICE_VERSION } from './version.js';

export interface CreateAppOptions {
  imports?: ModuleMetadata['imports'];
  metrics?: MetricsRegistry;
}

/**
 * Builds the application exactly as production runs it (adapter, hooks, filter, pipes, Swagger);
 * main.ts starts here, and the tests assemble the same parts (test/support/test-app.ts) through
 * Nest's testing module so that they can replace a port with overrideProvider.
 */
export async function createApp(
  config: AppConfig,
  logger: Logger,
  opts: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const metrics = opts.metrics ?? new MetricsRegistry();
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ config, logger, metrics, imports: opts.imports }),
    createFastifyAdapter(config, logger),
    nestApplicationOptions(logger),
  );
  return configureApp(app, metrics, config);
}

export function createFastifyAdapter(config: AppConfig, logger: Logger): FastifyAdapter {
  return new FastifyAdapter({
    loggerInstance: logger,
    // Our own one-line-per-request log (request-observer.ts) replaces Fastify's two lines.
    logController: new LogController({
      disableRequestLogging: true,
      requestIdLogLabel: 'request_id',
    }),
    // request.log is built only when something logs through it (the access line does not).
    childLoggerFactory: lazyChildLoggerFactory,
    requestIdHeader: false,
    genReqId: requestIdOf,
    bodyLimit: config.server.bodyLimitBytes,
    trustProxy: config.server.trustProxy,
    return503OnClosing: true,
    // No Nest middleware is used (hooks do that work): without this the adapter runs
    // @fastify/middie on every request for nothing (~4 µs each, bench/http.bench.js profile).
    skipMiddie: true,
    // Routing refusals (bad %-escape: 400, path segment too long: 414) in our error shape.
    frameworkErrors: (err: Error, request: FastifyRequest, reply: FastifyReply) =>
      sendError(err, request, reply),
    clientErrorHandler,
  });
}

export function nestApplicationOptions(logger: Logger): NestApplicationOptions {
  // abortOnError false: a failed start-up throws to the caller (main.ts reports it, tests see it).
  // bodyParser false: Nest's JSON and form parsers are replaced by ours (json-body.ts).
  return {
    logger: new NestPinoLogger(logger),
    bufferLogs: false,
    abortOnError: false,
    bodyParser: false,
  };
}

/** Body parser, request hooks, the one exception filter, the validation pipe and Swagger; then init. */
export async function configureApp(
  app: NestFastifyApplication,
  metrics: MetricsRegistry,
  config: AppConfig,
): Promise<NestFastifyApplication> {
  const fastify = app.getHttpAdapter().getInstance();
  installJsonBodyParser(fastify, config.server.bodyLimitBytes);
  observeRequests(fastify, metrics, config.accessLog);
  traceRequests(fastify, app.get(Tracing));
  installRequestIntake(fastify);
  app.useGlobalFilters(new AllExceptionsFilter());
  app.useGlobalPipes(createValidationPipe());
  mountSwagger(app, buildOpenApiDocument(app, SERVICE_VERSION, config));
  await app.init();
  return app;
}
