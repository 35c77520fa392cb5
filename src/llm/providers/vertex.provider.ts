import { existsSync } from 'node:fs';
import { GoogleAuth } from 'google-auth-library';
import type { LlmConfig } from '../../config/app-config.js';
import { CredentialUnavailableError, type LlmProviderDefinition } from '../llm-provider.js';
import { OpenAiCompatibleProvider, baseUrlOf } from './openai-compatible.provider.js';

const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const DEFAULT_REGION = 'us-central1';

/** `server_url`, else the regional OpenAI-compatible endpoint of `provider_args.project`. */
export function vertexBaseUrl(cfg: LlmConfig): string {
  const project = encodeURIComponent(String(cfg.providerArgs.project));
  const region =
    typeof cfg.providerArgs.region === 'string' ? cfg.providerArgs.region : DEFAULT_REGION;
  return baseUrlOf(
    cfg,
    `https://${region}-aiplatform.googleapis.com/v1/projects/${project}/locations/${region}/endpoints/openapi`,
  );
}

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
    return new OpenAiCompatibleProvider(cfg, {
      baseURL: vertexBaseUrl(cfg),
      apiKey: async () => {
        let token: string | null | undefined;
        try {
          token = await auth.getAccessToken();
        } catch (err) {
          throw new CredentialUnavailableError(
            `Google access token: ${err instanceof Error ? err.message : String(err)}`,
            { cause: err },
          );
        }
        if (!token) throw new CredentialUnavailableError('Google credentials gave no access token');
        return token;
      },
    });
  },
};
