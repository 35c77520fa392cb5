import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { SERVICE_VERSION } from '../bootstrap/version.js';
import { AppConfig } from '../config/app-config.js';
import { MetricsRegistry } from './metrics.registry.js';
import { MetricsServer } from './metrics-server.js';
import { ROOT_LOGGER } from './root-logger.js';
import { Tracing, createTracing } from './tracing.js';

@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(logger: Logger, metrics: MetricsRegistry): DynamicModule {
    return {
      module: ObservabilityModule,
      providers: [
        { provide: ROOT_LOGGER, useValue: logger },
        { provide: MetricsRegistry, useValue: metrics },
        { provide: MetricsServer, useFactory: () => new MetricsServer(metrics) },
        {
          provide: Tracing,
          inject: [AppConfig],
          useFactory: (config: AppConfig) => createTracing(config, logger, SERVICE_VERSION),
        },
      ],
      exports: [ROOT_LOGGER, MetricsRegistry, MetricsServer, Tracing],
    };
  }
}
