import type { LlmProviderDefinition } from '../llm-provider.js';
import { OpenAiCompatibleProvider, baseUrlOf } from './openai-compatible.provider.js';

/** Placeholder key when only the user's exchanged token authenticates (the SDK demands a key). */
const GATEWAY_TOKEN_ONLY = 'unused-token-exchange';

export const openaiProvider: LlmProviderDefinition = {
  missingCredentials: (_cfg, env) =>
    env.credentials.openaiApiKey || env.tokenExchange
      ? []
      : [{ variable: 'OPENAI_API_KEY', reason: 'is required' }],
  create: (cfg, env) =>
    new OpenAiCompatibleProvider(cfg, {
      baseURL: baseUrlOf(cfg, 'https://api.openai.com/v1'),
      apiKey: env.credentials.openaiApiKey ?? GATEWAY_TOKEN_ONLY,
      bearerTokenRequired: !env.credentials.openaiApiKey,
    }),
};
