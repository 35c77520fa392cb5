import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { MetricsController } from './metrics.controller.js';
import { MetricsRegistry } from './metrics.registry.js';
import { ROOT_LOGGER } from './root-logger.js';

@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(logger: Logger, metrics: MetricsRegistry): DynamicModule {
    return {
      module: ObservabilityModule,
      controllers: [MetricsController],
      providers: [
        { provide: ROOT_LOGGER, useValue: logger },
        { provide: MetricsRegistry, useValue: metrics },
      ],
      exports: [ROOT_LOGGER, MetricsRegistry],
    };
  }
}
