import { Global, Module, type DynamicModule } from '@nestjs/common';
import { AppConfig } from './app-config.js';

/**
 * Makes the configuration, validated before Nest starts, injectable everywhere as `AppConfig`. Not
 * @nestjs/config's ConfigModule (no ConfigService, no .env loading): the name says whose it is.
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppConfigModule,
      providers: [{ provide: AppConfig, useValue: config }],
      exports: [AppConfig],
    };
  }
}
