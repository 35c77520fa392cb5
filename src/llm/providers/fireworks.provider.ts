import type { LlmProviderDefinition } from '../llm-provider.js';
import { OpenAiCompatibleProvider, baseUrlOf } from './openai-compatible.provider.js';

export const fireworksProvider: LlmProviderDefinition = {
  missingCredentials: (_cfg, env) =>
    env.credentials.fireworksApiKey
      ? []
      : [{ variable: 'FIREWORKS_API_KEY', reason: 'is required' }],
  create: (cfg, env) =>
    new OpenAiCompatibleProvider(cfg, {
      baseURL: baseUrlOf(cfg, 'https://api.fireworks.ai/inference/v1'),
      apiKey: env.credentials.fireworksApiKey ?? '',
    }),
};
