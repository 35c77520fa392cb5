import type { AppConfig } from '../config/app-config.js';
import type { ConfigProblem } from '../config/load-config.js';
import { PROVIDERS } from './providers/provider-registry.js';

/**
 * Every credential the configured LLMs need and the environment lacks, one problem per missing
 * variable, e.g. `OPENAI_API_KEY: is required for default_llm_config (llm_provider "openai")`.
 * Pure: called by loadConfig so that a missing key stops start-up before the port opens.
 */
export function validateLlmCredentials(
  config: Pick<AppConfig, 'llm' | 'llmCredentials' | 'tokenExchange'>,
): ConfigProblem[] {
  if (!config.llm) return [];
  const env = {
    credentials: config.llmCredentials,
    tokenExchange: config.tokenExchange.provider !== undefined,
  };
  const problems: ConfigProblem[] = [];
  const roles = [
    ['default_llm_config', config.llm.default],
    ['external_llm_config', config.llm.external],
  ] as const;
  for (const [key, cfg] of roles) {
    if (!cfg) continue;
    for (const missing of PROVIDERS[cfg.provider].missingCredentials(cfg, env)) {
      problems.push({
        where: missing.variable,
        reason: `${missing.reason} for ${key} (llm_provider "${cfg.provider}")`,
      });
    }
  }
  return problems;
}
