import type { AppConfig } from '../../src/config/app-config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createRootLogger } from '../../src/observability/logger.factory.js';
import { MetricsRegistry } from '../../src/observability/metrics.registry.js';
import { buildTokenExchangeService } from '../../src/token-exchange/token-exchange.module.js';
import type { TokenExchangeService } from '../../src/token-exchange/token-exchange.service.js';
import { LogCapture } from '../support/log-capture.js';
import type { TokenExchangeServer } from '../support/idp/token-exchange-server.js';

export const PUBLIC_API = 'https://voicebox.test/api';
export const SERVICE_API = 'api://voicebox-service';
export const LLM_GATEWAY = 'api://llm-gateway';
export const SERVICE_CLIENT = {
  id: 'voicebox-service',
  secret: 'voicebox-service-secret-0123456789',
};
export const GATEWAY_CLIENT = {
  id: 'voicebox-gateway',
  secret: 'voicebox-gateway-secret-0123456789',
};

/** The resource servers of the chain: the public API, the Voicebox Service, the LLM gateway. */
export const RESOURCE_SERVERS = [
  { audience: PUBLIC_API, scopes: ['voicebox:read'] },
  { audience: SERVICE_API, scopes: ['voicebox:ask', 'voicebox:admin'] },
  { audience: LLM_GATEWAY, scopes: ['llm.invoke', 'llm.admin'] },
];

export interface ExchangeKit {
  config: AppConfig;
  service: TokenExchangeService;
  metrics: MetricsRegistry;
  logs: LogCapture;
}

/** The real exchange service built from an environment, as the module builds it. */
export async function exchangeKit(env: Record<string, string>): Promise<ExchangeKit> {
  const config = loadConfig({ LOG_LEVEL: 'DEBUG', ...env });
  const logs = new LogCapture();
  const logger = createRootLogger({
    ...config.logging,
    secretValues: config.secretValues,
    destination: logs,
  });
  const metrics = new MetricsRegistry();
  const service = await buildTokenExchangeService(config, metrics, logger);
  return { config, service, metrics, logs };
}

/** The LLM-gateway hop's environment against `as` (a client secret unless overridden). */
export function llmHopEnv(
  as: TokenExchangeServer,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    REQUIRE_JWT_AUTH: 'true',
    JWT_ISSUER: as.issuer,
    JWT_JWKS_URI: as.idp.jwksUri,
    TOKEN_EXCHANGE_PROVIDER: as.dialect,
    OKTA_CLIENT_ID: SERVICE_CLIENT.id,
    OKTA_CLIENT_SECRET: SERVICE_CLIENT.secret,
    OKTA_DISCOVERY_URL: as.discoveryUrl,
    OKTA_LLM_GATEWAY_AUDIENCE: LLM_GATEWAY,
    OKTA_LLM_GATEWAY_SCOPE: 'llm.invoke',
    TOKEN_CACHE_EXPIRY_BUFFER_SECONDS: '60',
    ...extra,
  };
}
