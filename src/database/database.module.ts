import {
  Global,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../config/app-config.js';
import { ReadinessService } from '../health/readiness.service.js';
import { ROOT_LOGGER } from '../observability/root-logger.js';
import { Database } from './database.js';

/** Registers the readiness check and closes the pool (and the embedded server) on shutdown. */
@Injectable()
class DatabaseLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly db: Database,
    private readonly readiness: ReadinessService,
  ) {}

  onModuleInit(): void {
    this.readiness.register('database', async () => {
      await this.db.query('SELECT 1');
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.db.close();
  }
}

/** PostgreSQL for every module: `constructor(db: Database)`. Migrations run before anything else. */
@Global()
@Module({
  providers: [
    {
      provide: Database,
      useFactory: (config: AppConfig, logger: Logger) => Database.open(config, logger),
      inject: [AppConfig, ROOT_LOGGER],
    },
    DatabaseLifecycle,
  ],
  exports: [Database],
})
export class DatabaseModule {}
