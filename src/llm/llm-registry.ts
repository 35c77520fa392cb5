import type { Logger } from 'pino';
import { ConfigError } from '../config/load-config.js';
import { validateLlmCredentials } from './llm-credentials.js';
import type { AppConfig, LlmConfig } from '../config/app-config.js';
import type { MetricsRegistry } from '../observability/metrics.registry.js';
import { NoTracing, type Tracing } from '../observability/tracing.js';
import type { LlmClient } from './llm-client.js';
import { LlmMetrics } from './llm-metrics.js';
import { NotConfiguredLlmClient } from './not-configured-llm-client.js';
import { ProviderLlmClient } from './provider-llm-client.js';
import { PROVIDERS } from './providers/provider-registry.js';
import type { LlmRole } from './llm-types.js';

/**
 * The configured LLMs by role. `external` answers from background knowledge: it is its own model
 * when `external_llm_config` is set and `enable_external_llm` is on, else the default one.
 */
export class LlmRegistry {
  private readonly clients = new Map<LlmRole, LlmClient>();

  constructor(
    config: AppConfig,
    metrics: MetricsRegistry,
    logger: Logger,
    tracing: Tracing = new NoTracing(),
  ) {
    // A missing credential stops start-up here, while the application is assembled: before any
    // port opens, with one line per variable (main.ts prints ConfigError like the config loader's).
    const missing = validateLlmCredentials(config);
    if (missing.length > 0) throw new ConfigError(missing);
    const llmMetrics = new LlmMetrics(metrics);
    const env = {
      credentials: config.llmCredentials,
      tokenExchange: config.tokenExchange.provider !== undefined,
    };
    const build = (role: LlmRole, cfg: LlmConfig) =>
      new ProviderLlmClient(
        role,
        cfg,
        PROVIDERS[cfg.provider].create(cfg, env),
        config.llmTuning,
        llmMetrics,
        logger,
        tracing,
      );
    const llm = config.llm;
    const defaultClient = llm
      ? build('default', llm.default)
      : new NotConfiguredLlmClient('default');
    this.clients.set('default', defaultClient);
    if (llm?.external && config.features.externalLlm) {
      this.clients.set('external', build('external', llm.external));
    }
  }

  get(role: LlmRole): LlmClient {
    return this.clients.get(role) ?? (this.clients.get('default') as LlmClient);
  }

  /** Each distinct configured model once (external only when it is its own model). */
  configured(): LlmClient[] {
    return [...this.clients.values()].filter((c) => !(c instanceof NotConfiguredLlmClient));
  }
}
