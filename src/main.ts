import 'reflect-metadata';
import { createApp } from './bootstrap/create-app.js';
import { GracefulShutdown } from './bootstrap/graceful-shutdown.js';
import { SERVICE_VERSION } from './bootstrap/version.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import type { AppConfig } from './config/app-config.js';
import { ReadinessService } from './health/readiness.service.js';
import { KnowledgeGraphModule } from './knowledge-graph/knowledge-graph.module.js';
import { validateLlmCredentials } from './llm/llm-credentials.js';
import { createRootLogger } from './observability/logger.factory.js';
import { MetricsServer } from './observability/metrics-server.js';

let config: AppConfig;

function metricsNote({ metrics }: AppConfig): string {
  return metrics.port === 0
    ? '; metrics off'
    : `; metrics at http://${metrics.host}:${metrics.port}/metrics`;
}

try {
  config = loadConfig();
  // Checked before anything starts (the embedded database among them), not only when the LLM
  // module is assembled, so a missing key leaves nothing running behind.
  const missing = validateLlmCredentials(config);
  if (missing.length > 0) throw new ConfigError(missing);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  // Before the logger exists: one plain line per problem, naming the variable or JSON path.
  process.stderr.write(err.toLines());
  process.exit(78); // EX_CONFIG
}

const logger = createRootLogger({ ...config.logging, secretValues: config.secretValues });
process.on('unhandledRejection', (reason) =>
  logger.error({ err: reason }, 'unhandled promise rejection'),
);

try {
  const app = await createApp(config, logger);
  const readiness = app.get(ReadinessService);
  const shutdown = new GracefulShutdown(app, readiness, logger, config.server.shutdownTimeoutMs);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void shutdown.run(signal).then((outcome) => process.exit(outcome === 'close_failed' ? 1 : 0));
    });
  }
  const warm = app.get(KnowledgeGraphModule).preload();
  await app.listen({ port: config.server.port, host: config.server.host });
  if (config.metrics.port !== 0) {
    await app.get(MetricsServer).listen(config.metrics.port, config.metrics.host);
  }
  readiness.markStarted();
  logger.info(
    {
      version: SERVICE_VERSION,
      port: config.server.port,
      metrics_port: config.metrics.port || undefined,
      llm: config.llm ? config.llm.default.provider : 'none',
      sparql_warm_up_ms: Math.round(warm.sparqlWarmUpMs),
    },
    `Voicebox Service listening on http://${config.server.host}:${config.server.port} (docs at /api/v1/docs${metricsNote(config)})`,
  );
} catch (err) {
  if (err instanceof ConfigError) {
    // Problems only the assembled application can see (e.g. a missing LLM credential).
    process.stderr.write(err.toLines());
    process.exit(78);
  }
  logger.fatal({ err }, 'start-up failed');
  process.exit(1);
}
