import { Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppKeyVerifier } from '../auth/app-key-verifier.js';
import { AppConfig } from '../config/app-config.js';
import { DatabaseModule } from '../database/database.module.js';
import { ROOT_LOGGER } from '../observability/root-logger.js';
import { AppKeysRepository } from './app-keys.repository.js';
import { AppKeysService } from './app-keys.service.js';
import { AppSettingsController } from './app-settings.controller.js';
import { AppsController } from './apps.controller.js';
import { AppsRepository } from './apps.repository.js';
import { VerifiedKeyCache } from './verified-key-cache.js';
import { AppsService } from './apps.service.js';
import { ConnectionsController } from './connections.controller.js';
import { ConnectionsRepository } from './connections.repository.js';
import { ConnectionsService } from './connections.service.js';
import { SecretBox } from './secret-box.js';
import { loadSecretBox } from './secret-key.loader.js';

/**
 * Voicebox apps, their knowledge-graph connections and app keys. Global so that the AuthGuard can
 * inject `AppKeyVerifier` and the knowledge-graph layer `ConnectionsService`. It brings the (global)
 * DatabaseModule along, so app.module wires persistence with this one import.
 */
@Global()
@Module({
  imports: [DatabaseModule],
  controllers: [ConnectionsController, AppsController, AppSettingsController],
  providers: [
    {
      provide: SecretBox,
      useFactory: (config: AppConfig, logger: Logger) => loadSecretBox(config, logger),
      inject: [AppConfig, ROOT_LOGGER],
    },
    ConnectionsRepository,
    AppsRepository,
    AppKeysRepository,
    { provide: VerifiedKeyCache, useFactory: () => new VerifiedKeyCache() },
    ConnectionsService,
    AppsService,
    AppKeysService,
    { provide: AppKeyVerifier, useExisting: AppKeysService },
  ],
  exports: [ConnectionsService, AppsService, AppKeysService, AppKeyVerifier],
})
export class AppsModule {}
