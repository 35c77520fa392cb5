import type { LlmProviderName } from '../../config/vbx-config.schema.js';
import type { LlmProviderDefinition } from '../llm-provider.js';
import { azureProvider } from './azure.provider.js';
import { bedrockProvider } from './bedrock.provider.js';
import { databricksProvider } from './databricks.provider.js';
import { fireworksProvider } from './fireworks.provider.js';
import { openaiProvider } from './openai.provider.js';
import { vertexProvider } from './vertex.provider.js';

/** `llm_provider` → strategy. Adding a provider: one file in this folder and one line here. */
export const PROVIDERS: Record<LlmProviderName, LlmProviderDefinition> = {
  openai: openaiProvider,
  azure: azureProvider,
  bedrock: bedrockProvider,
  databricks: databricksProvider,
  fireworks: fireworksProvider,
  vertex: vertexProvider,
};
