import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '../../src/config/app-config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { LlmRegistry } from '../../src/llm/llm-registry.js';
import { createRootLogger } from '../../src/observability/logger.factory.js';
import { MetricsRegistry } from '../../src/observability/metrics.registry.js';
import { LogCapture } from '../support/log-capture.js';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'vbx-llm-'));
}

/** Writes a VBX_CONFIG_FILE and returns its absolute path. */
export function writeVbxConfig(json: Record<string, unknown>, dir = tempDir()): string {
  const file = join(dir, 'vbx-config.json');
  writeFileSync(file, JSON.stringify(json));
  return file;
}

export interface LlmKit {
  config: AppConfig;
  registry: LlmRegistry;
  metrics: MetricsRegistry;
  logs: LogCapture;
}

/** The real configuration loading and registry, with fast retry tuning unless overridden. */
export function llmKit(
  env: Record<string, string>,
  tuning: Partial<AppConfig['llmTuning']> = {},
): LlmKit {
  const loaded = loadConfig({ LOG_LEVEL: 'DEBUG', LLM_RETRY_BASE_DELAY_MS: '10', ...env });
  const config: AppConfig = { ...loaded, llmTuning: { ...loaded.llmTuning, ...tuning } };
  const logs = new LogCapture();
  const logger = createRootLogger({
    ...config.logging,
    secretValues: config.secretValues,
    destination: logs,
  });
  const metrics = new MetricsRegistry();
  return { config, registry: new LlmRegistry(config, metrics, logger), metrics, logs };
}

export function llmConfig(
  provider: string,
  model: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { llm_provider: provider, llm_name: model, ...extra };
}
