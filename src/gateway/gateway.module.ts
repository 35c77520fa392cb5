import { Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../config/app-config.js';
import { ROOT_LOGGER } from '../observability/root-logger.js';
import { Tracing } from '../observability/tracing.js';
import { TokenExchangeModule } from '../token-exchange/token-exchange.module.js';
import { TokenExchangeService } from '../token-exchange/token-exchange.service.js';
import { ForwardingVoiceboxBackend } from './forwarding-voicebox-backend.js';

/**
 * The forwarder of a split deployment, or null when this process does the voicebox work itself
 * (VOICEBOX_SERVICE_ENDPOINT unset). VoiceboxModule binds its VoiceboxBackend port to it when set.
 */
export const VOICEBOX_FORWARDER = Symbol('VOICEBOX_FORWARDER');

export function buildForwarder(
  config: AppConfig,
  exchange: TokenExchangeService,
  root: Logger,
  tracing: Tracing,
): ForwardingVoiceboxBackend | null {
  const { serviceEndpoint, serviceTimeoutMs } = config.gateway;
  if (!serviceEndpoint) return null;
  // Configuration validation requires the exchange settings with the endpoint; this is a bug guard.
  if (!exchange.has('voicebox_service')) {
    throw new Error('VOICEBOX_SERVICE_ENDPOINT is set without the gateway-to-Voicebox exchange');
  }
  const baseUrl = serviceEndpoint.endsWith('/') ? serviceEndpoint : `${serviceEndpoint}/`;
  const logger = root.child({ component: 'gateway' });
  logger.info({ endpoint: baseUrl }, 'split deployment: voicebox calls go to the Voicebox Service');
  return new ForwardingVoiceboxBackend(
    { baseUrl, timeoutMs: serviceTimeoutMs },
    exchange,
    logger,
    tracing,
  );
}

/** Split deployment, the gateway side: forwarding the voicebox routes to the Voicebox Service. */
@Module({
  imports: [TokenExchangeModule],
  providers: [
    {
      provide: VOICEBOX_FORWARDER,
      inject: [AppConfig, TokenExchangeService, ROOT_LOGGER, Tracing],
      useFactory: buildForwarder,
    },
  ],
  exports: [VOICEBOX_FORWARDER],
})
export class GatewayModule {}
