import type { LlmProviderDefinition } from '../llm-provider.js';
import { OpenAiCompatibleProvider, baseUrlOf } from './openai-compatible.provider.js';

/** The API version of Azure AI Foundry's model inference `/models` endpoint. */
const DEFAULT_API_VERSION = '2024-05-01-preview';

/**
 * Azure AI Foundry models (`https://<x>.services.ai.azure.com/models`): the `model` field names the
 * deployment, the key travels in `api-key` and the version in `api-version`. The deprecated
 * `@azure-rest/ai-inference` SDK is replaced by the openai SDK against the same route.
 */
export const azureProvider: LlmProviderDefinition = {
  missingCredentials: (_cfg, env) =>
    env.credentials.azureApiKey ? [] : [{ variable: 'AZURE_API_KEY', reason: 'is required' }],
  create: (cfg, env) => {
    const key = env.credentials.azureApiKey ?? '';
    const version = cfg.providerArgs.api_version;
    return new OpenAiCompatibleProvider(cfg, {
      baseURL: baseUrlOf(cfg, ''),
      apiKey: key,
      // The key goes in api-key only; null removes the SDK's Authorization header.
      defaultHeaders: { 'api-key': key, Authorization: null },
      defaultQuery: {
        'api-version': typeof version === 'string' ? version : DEFAULT_API_VERSION,
      },
    });
  },
};
