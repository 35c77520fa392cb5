import type { LlmProviderDefinition } from '../llm-provider.js';
import { OpenAiCompatibleProvider, baseUrlOf } from './openai-compatible.provider.js';

/** Databricks model serving: `server_url` is `https://<workspace>/serving-endpoints`, model = endpoint. */
export const databricksProvider: LlmProviderDefinition = {
  missingCredentials: (_cfg, env) =>
    env.credentials.databricksApiKey
      ? []
      : [{ variable: 'DATABRICKS_API_KEY', reason: 'is required' }],
  create: (cfg, env) =>
    new OpenAiCompatibleProvider(cfg, {
      baseURL: baseUrlOf(cfg, ''),
      apiKey: env.credentials.databricksApiKey ?? '',
    }),
};
