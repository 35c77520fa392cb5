import { existsSync } from 'node:fs';
import { GoogleAuth } from 'google-auth-library';
import type { LlmProviderDefinition } from '../llm-provider.js';
import { OpenAiCompatibleProvider, baseUrlOf } from './openai-compatible.provider.js';

const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const DEFAULT_REGION = 'us-central1';

/**
 * Vertex AI's OpenAI-compatible endpoint (Llama MaaS). The credential file is passed explicitly,
 * so a service account key, an `external_account` (workload identity federation) or an authorized
 * user file all work; google-auth-library caches the access token and refreshes it before expiry,
 * and the SDK asks for it before each request.
 */
export const vertexProvider: LlmProviderDefinition = {
  missingCredentials: (_cfg, env) => {
    const file = env.credentials.googleApplicationCredentials;
    if (!file) return [{ variable: 'GOOGLE_APPLICATION_CREDENTIALS', reason: 'is required' }];
    if (!existsSync(file)) {
      return [
        {
          variable: 'GOOGLE_APPLICATION_CREDENTIALS',
          reason: `names a file that does not exist (${file}), required`,
        },
      ];
    }
    return [];
  },
  create: (cfg, env) => {
    const auth = new GoogleAuth({
      keyFilename: env.credentials.googleApplicationCredentials,
      scopes: [SCOPE],
    });
    const project = String(cfg.providerArgs.project);
    const region =
      typeof cfg.providerArgs.region === 'string' ? cfg.providerArgs.region : DEFAULT_REGION;
    const fallback = `https://${region}-aiplatform.googleapis.com/v1/projects/${project}/locations/${region}/endpoints/openapi`;
    return new OpenAiCompatibleProvider(cfg, {
      baseURL: baseUrlOf(cfg, fallback),
      apiKey: async () => {
        const token = await auth.getAccessToken();
        if (!token) throw new Error('Google credentials returned no access token');
        return token;
      },
    });
  },
};
