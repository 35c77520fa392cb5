import type { ModuleMetadata } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module.js';
import {
  configureApp,
  createFastifyAdapter,
  nestApplicationOptions,
} from '../../src/bootstrap/create-app.js';
import type { AppConfig } from '../../src/config/app-config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { ReadinessService } from '../../src/health/readiness.service.js';
import { createRootLogger } from '../../src/observability/logger.factory.js';
import { MetricsRegistry } from '../../src/observability/metrics.registry.js';
import { MetricsServer } from '../../src/observability/metrics-server.js';
import { NestPinoLogger } from '../../src/observability/nest-logger.js';
import { LogCapture } from './log-capture.js';
import { sharedTestDatabaseEnv } from './postgres.js';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  logs: LogCapture;
  /** GET /metrics on the metrics listener (its own Fastify instance, not the public app). */
  scrapeMetrics(): Promise<{ status: number; contentType: string; body: string }>;
  close(): Promise<void>;
}

/** A port replaced for a test (Nest's overrideProvider), e.g. the app-key verifier held in memory. */
export interface ProviderOverride {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- abstract classes are tokens
  provide: Function | string | symbol;
  useValue: unknown;
}

/**
 * The real application (the same module, adapter, hooks, filter, pipes and Swagger as createApp)
 * with a given environment, logs captured in memory. Only the environment, fixture modules and the
 * ports named in `overrides` differ per test.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  imports: ModuleMetadata['imports'] = [],
  opts: { overrides?: ProviderOverride[]; markStarted?: boolean } = {},
): Promise<TestApp> {
  const db = env.DATABASE_URL || env.VOICEBOX_DATA_DIR ? {} : await sharedTestDatabaseEnv();
  const config = loadConfig({ LOG_LEVEL: 'DEBUG', ...db, ...env });
  const logs = new LogCapture();
  const logger = createRootLogger({
    ...config.logging,
    secretValues: config.secretValues,
    destination: logs,
  });
  const metrics = new MetricsRegistry();
  const builder = Test.createTestingModule({
    imports: [AppModule.forRoot({ config, logger, metrics, imports })],
  }).setLogger(new NestPinoLogger(logger));
  for (const o of opts.overrides ?? []) builder.overrideProvider(o.provide).useValue(o.useValue);
  const moduleRef = await builder.compile();
  const app = await configureApp(
    moduleRef.createNestApplication<NestFastifyApplication>(
      createFastifyAdapter(config, logger),
      nestApplicationOptions(logger),
    ),
    metrics,
    config,
  );
  await app.getHttpAdapter().getInstance().ready();
  // main.ts marks the start once the listener is up; a test that watches start-up passes false.
  if (opts.markStarted !== false) app.get(ReadinessService).markStarted();
  const scrapeMetrics = async () => {
    const res = await app.get(MetricsServer).fastify.inject({ method: 'GET', url: '/metrics' });
    return {
      status: res.statusCode,
      contentType: String(res.headers['content-type']),
      body: res.body,
    };
  };
  return { app, config, logs, scrapeMetrics, close: () => app.close() };
}

/**
 * Polls the readiness probe until it answers 200: dependencies such as the embedded store open on
 * the first probe and may need more than one probe's timeout on a loaded machine.
 */
export async function waitUntilReady(
  t: TestApp,
  timeoutMs = 20_000,
): Promise<{ status: string; checks: Record<string, unknown> }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.app.inject({ method: 'GET', url: '/system/ready' });
    if (res.statusCode === 200) return res.json();
    if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs} ms: ${res.body}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
