import { Global, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { LivenessCheck, type LivenessProbe } from '../common/readiness/liveness-check.js';
import { ReadinessCheck, type ReadinessProbe } from '../common/readiness/readiness-check.js';
import { AppConfig } from '../config/app-config.js';
import { ROOT_LOGGER } from '../observability/root-logger.js';
import { Database } from './database.js';

/**
 * The database's readiness and liveness checks; closes the pool (and the embedded server) on
 * shutdown.
 */
@ReadinessCheck('database')
@LivenessCheck('database')
@Injectable()
class DatabaseLifecycle implements ReadinessProbe, LivenessProbe, OnApplicationShutdown {
  constructor(private readonly db: Database) {}

  checkAlive(): string | undefined {
    return this.db.fatalFailure;
  }

  async checkReady(): Promise<void> {
    await this.db.query('SELECT 1');
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
