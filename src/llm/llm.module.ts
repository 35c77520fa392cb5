import { Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../config/app-config.js';
import { MetricsRegistry } from '../observability/metrics.registry.js';
import { ROOT_LOGGER } from '../observability/root-logger.js';
import { Tracing } from '../observability/tracing.js';
import { LlmClient } from './llm-client.js';
import { LlmDiagnosticsController } from './llm-diagnostics.controller.js';
import { LlmDiagnosticsService } from './llm-diagnostics.service.js';
import { LlmRegistry } from './llm-registry.js';

/**
 * The LLM port. Inject `LlmClient` for the default model or `LlmRegistry` for a role. Credentials
 * were checked by loadConfig, so building the clients here cannot fail for a missing key.
 */
@Module({
  controllers: [LlmDiagnosticsController],
  providers: [
    {
      provide: LlmRegistry,
      inject: [AppConfig, MetricsRegistry, ROOT_LOGGER, Tracing],
      useFactory: (config: AppConfig, metrics: MetricsRegistry, logger: Logger, tracing: Tracing) =>
        new LlmRegistry(config, metrics, logger.child({ component: 'llm' }), tracing),
    },
    {
      provide: LlmClient,
      inject: [LlmRegistry],
      useFactory: (registry: LlmRegistry) => registry.get('default'),
    },
    LlmDiagnosticsService,
  ],
  exports: [LlmClient, LlmRegistry],
})
export class LlmModule {}
