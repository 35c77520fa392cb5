import { Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../config/app-config.js';
import type { TokenExchangeProviderName } from '../config/env.schema.js';
import { MetricsRegistry } from '../observability/metrics.registry.js';
import { ROOT_LOGGER } from '../observability/root-logger.js';
import { NoTracing, Tracing } from '../observability/tracing.js';
import { clientAuthenticationFor } from './client-authentication.js';
import { DiscoveryDocuments } from './discovery-document.js';
import { EXCHANGE_GRANTS, EXCHANGE_GRANTS_TOKEN, type ExchangeGrant } from './exchange-grants.js';
import { TokenEndpointClient } from './token-endpoint-client.js';
import { TokenExchangeCache } from './token-exchange-cache.js';
import { TokenExchangeMetrics } from './token-exchange-metrics.js';
import { TokenExchangeService } from './token-exchange.service.js';
import { llmGatewayHop, voiceboxServiceHop } from './token-exchange-settings.js';

/**
 * The exchange service for the hops the configuration names. Key files are read here, at start-up:
 * an unreadable or unusable key stops the service with a ConfigError naming its variable.
 */
export async function buildTokenExchangeService(
  config: AppConfig,
  metrics: MetricsRegistry,
  root: Logger,
  grants: Record<TokenExchangeProviderName, ExchangeGrant> = EXCHANGE_GRANTS,
  tracing: Tracing = new NoTracing(),
): Promise<TokenExchangeService> {
  const logger = root.child({ component: 'token-exchange' });
  const tx = config.tokenExchange;
  const discovery = new DiscoveryDocuments(tx.timeoutMs, logger);
  const hops = [llmGatewayHop(config), voiceboxServiceHop(config)].filter((h) => h !== undefined);
  const clients = await Promise.all(
    hops.map(async (settings) => {
      const grant = grants[settings.provider];
      const auth = await clientAuthenticationFor(settings, grant.secretStyle);
      return new TokenEndpointClient(settings, grant, auth, discovery, tx.timeoutMs, logger);
    }),
  );
  const cache = new TokenExchangeCache({
    maxEntries: tx.cacheMaxEntries,
    ttlMs: tx.cacheTtlSeconds * 1000,
    expiryBufferMs: tx.expiryBufferSeconds * 1000,
  });
  return new TokenExchangeService(clients, cache, new TokenExchangeMetrics(metrics), tracing);
}

/** On-behalf-of token exchange for the hops this process has (see exchange-hop.ts). */
@Module({
  providers: [
    { provide: EXCHANGE_GRANTS_TOKEN, useValue: EXCHANGE_GRANTS },
    {
      provide: TokenExchangeService,
      inject: [AppConfig, MetricsRegistry, ROOT_LOGGER, EXCHANGE_GRANTS_TOKEN, Tracing],
      useFactory: buildTokenExchangeService,
    },
  ],
  exports: [TokenExchangeService],
})
export class TokenExchangeModule {}
