import type { ModuleMetadata } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/bootstrap/create-app.js';
import type { AppConfig } from '../../src/config/app-config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { ReadinessService } from '../../src/health/readiness.service.js';
import { createRootLogger } from '../../src/observability/logger.factory.js';
import { LogCapture } from './log-capture.js';
import { sharedTestDatabaseEnv } from './postgres.js';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  logs: LogCapture;
  close(): Promise<void>;
}

/**
 * The real bootstrap (createApp) with a given environment, logs captured in memory. Only the
 * environment is per test; nothing of the application is replaced.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  imports: ModuleMetadata['imports'] = [],
): Promise<TestApp> {
  const db = env.DATABASE_URL || env.VOICEBOX_DATA_DIR ? {} : await sharedTestDatabaseEnv();
  const config = loadConfig({ LOG_LEVEL: 'DEBUG', ...db, ...env });
  const logs = new LogCapture();
  const logger = createRootLogger({
    ...config.logging,
    secretValues: config.secretValues,
    destination: logs,
  });
  const app = await createApp(config, logger, { imports });
  await app.getHttpAdapter().getInstance().ready();
  app.get(ReadinessService).markStarted();
  return { app, config, logs, close: () => app.close() };
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
