import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import type { Logger } from 'pino';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import type { AppConfig } from './config/app-config.js';
import { AppsModule } from './apps/apps.module.js';
import { AppConfigModule } from './config/app-config.module.js';
import { DemoModule } from './demo/demo.module.js';
import { HealthModule } from './health/health.module.js';
import { LlmModule } from './llm/llm.module.js';
import { KnowledgeGraphModule } from './knowledge-graph/knowledge-graph.module.js';
import type { MetricsRegistry } from './observability/metrics.registry.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { McpModule } from './mcp/mcp.module.js';
import { OpenAiCompatModule } from './openai-compat/openai-compat.module.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';
import { VoiceboxModule } from './voicebox/voicebox.module.js';

export interface AppModuleOptions {
  config: AppConfig;
  logger: Logger;
  metrics: MetricsRegistry;
  /** Extra modules (tests add fixture routes through the real bootstrap). */
  imports?: ModuleMetadata['imports'];
}

/** Wires the capability modules; nothing else lives here. */
@Module({})
export class AppModule {
  static forRoot(opts: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(opts.config),
        ObservabilityModule.forRoot(opts.logger, opts.metrics),
        HealthModule,
        LlmModule,
        AppsModule,
        AuthModule,
        KnowledgeGraphModule,
        DemoModule,
        RateLimitModule.forRoot(opts.config.rateLimit),
        VoiceboxModule,
        OpenAiCompatModule,
        AuditModule,
        McpModule,
        ...(opts.imports ?? []),
      ],
    };
  }
}
