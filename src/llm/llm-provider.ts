import type { AppConfig, LlmConfig } from '../config/app-config.js';
import type { LlmCompletion, LlmMessage, LlmStreamEvent } from './llm-types.js';

/** The provider's credentials could not be obtained (e.g. a refused token exchange). */
export class CredentialUnavailableError extends Error {
  override readonly name = 'CredentialUnavailableError';
}

/** What a strategy receives: the request already capped by the configuration. */
export interface ProviderRequest {
  messages: LlmMessage[];
  maxTokens: number;
  temperature?: number;
}

/** Per call: the abort signal (client gone or timeout) and the per-user parts. */
export interface ProviderCall {
  signal: AbortSignal;
  /** `provider_args.headers`, `$VOICEBOX_USER` already filled in. */
  headers: Record<string, string>;
  bearerToken?: string;
}

/** A provider error reduced to what the retry policy and the error mapping need. */
export type ProviderFailure =
  | { kind: 'http'; status: number; retryAfterMs?: number; message: string }
  | { kind: 'connection'; message: string }
  | { kind: 'aborted' }
  | { kind: 'invalid_setup'; message: string };

/** One provider's wire: a strategy. Retries, timeouts and metrics live around it, not in it. */
export interface LlmProvider {
  complete(req: ProviderRequest, call: ProviderCall): Promise<LlmCompletion>;
  stream(req: ProviderRequest, call: ProviderCall): AsyncIterable<LlmStreamEvent>;
  classify(err: unknown): ProviderFailure;
}

export interface ProviderEnvironment {
  credentials: AppConfig['llmCredentials'];
  /** TOKEN_EXCHANGE_PROVIDER is set: calls carry the user's exchanged gateway token. */
  tokenExchange: boolean;
}

/** A missing credential, named by its variable. */
export interface MissingCredential {
  variable: string;
  reason: string;
}

/** Registered once per provider name in provider-registry.ts. */
export interface LlmProviderDefinition {
  /** Checked at start-up: every credential this configuration needs but lacks. */
  missingCredentials(cfg: LlmConfig, env: ProviderEnvironment): MissingCredential[];
  create(cfg: LlmConfig, env: ProviderEnvironment): LlmProvider;
}

/** Retry-After (seconds or HTTP date) or OpenAI's retry-after-ms, in milliseconds. */
export function parseRetryAfter(
  get: (name: string) => string | null | undefined,
  now = Date.now(),
): number | undefined {
  const ms = get('retry-after-ms');
  if (ms && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.ceil(Number(ms));
  const value = get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
