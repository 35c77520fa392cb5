import OpenAI, { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import { DomainError } from '../../common/errors/domain-error.js';
import type { LlmConfig } from '../../config/app-config.js';
import type {
  LlmProvider,
  ProviderCall,
  ProviderFailure,
  ProviderRequest,
} from '../llm-provider.js';
import { CredentialUnavailableError, parseRetryAfter } from '../llm-provider.js';
import type { LlmCompletion, LlmStreamEvent } from '../llm-types.js';

export interface OpenAiCompatibleOptions {
  baseURL: string;
  /** A key, or a function called before each request (Vertex: a fresh OAuth access token). */
  apiKey: string | (() => Promise<string>);
  defaultHeaders?: Record<string, string | null>;
  defaultQuery?: Record<string, string>;
  /** No key of its own: every call must carry the user's exchanged gateway token. */
  bearerTokenRequired?: boolean;
}

/**
 * The chat-completions wire shared by openai, azure, databricks, fireworks and vertex, through the
 * official `openai` SDK. The SDK's own retries are off (our policy wraps every provider alike), and
 * every setting is passed explicitly: left unset, the SDK would read OPENAI_API_KEY, OPENAI_BASE_URL
 * and friends from the environment and could send one provider's key to another.
 */
export class OpenAiCompatibleProvider implements LlmProvider {
  private readonly client: OpenAI;

  constructor(
    private readonly cfg: LlmConfig,
    private readonly opts: OpenAiCompatibleOptions,
  ) {
    this.client = new OpenAI({
      baseURL: opts.baseURL,
      apiKey: opts.apiKey,
      organization: null,
      project: null,
      webhookSecret: null,
      defaultHeaders: opts.defaultHeaders,
      defaultQuery: opts.defaultQuery,
      maxRetries: 0,
      // Our own deadline aborts the call; this is only a backstop.
      timeout: 60 * 60 * 1000,
    });
  }

  async complete(req: ProviderRequest, call: ProviderCall): Promise<LlmCompletion> {
    const res = await this.client.chat.completions.create(
      { ...this.body(req), stream: false },
      this.options(call),
    );
    const choice = res.choices[0];
    return {
      text: choice?.message?.content ?? '',
      finishReason: choice?.finish_reason ?? undefined,
      usage: {
        promptTokens: res.usage?.prompt_tokens ?? 0,
        completionTokens: res.usage?.completion_tokens ?? 0,
      },
    };
  }

  async *stream(req: ProviderRequest, call: ProviderCall): AsyncIterable<LlmStreamEvent> {
    const chunks = await this.client.chat.completions.create(
      { ...this.body(req), stream: true, stream_options: { include_usage: true } },
      this.options(call),
    );
    let usage = { promptTokens: 0, completionTokens: 0 };
    let finishReason: string | undefined;
    for await (const chunk of chunks) {
      const choice = chunk.choices[0];
      const text = choice?.delta?.content;
      if (text) yield { type: 'text', text };
      if (choice?.finish_reason) finishReason = choice.finish_reason;
      if (chunk.usage) {
        usage = {
          promptTokens: chunk.usage.prompt_tokens,
          completionTokens: chunk.usage.completion_tokens,
        };
      }
    }
    yield { type: 'done', usage, finishReason };
  }

  classify(err: unknown): ProviderFailure {
    if (err instanceof APIUserAbortError) return { kind: 'aborted' };
    if (err instanceof APIConnectionError) return { kind: 'connection', message: err.message };
    if (err instanceof APIError && typeof err.status === 'number') {
      // Typed as the DOM Headers, absent from this project's libs.
      const headers = err.headers as { get(name: string): string | null } | undefined;
      return {
        kind: 'http',
        status: err.status,
        retryAfterMs: parseRetryAfter((n) => headers?.get(n)),
        message: err.message,
      };
    }
    if (err instanceof Error && err.name === 'AbortError') return { kind: 'aborted' };
    // The SDK wraps what the apiKey function threw.
    const cause = err instanceof Error ? err.cause : undefined;
    if (cause instanceof CredentialUnavailableError) {
      return { kind: 'invalid_setup', message: cause.message };
    }
    // A broken stream (connection reset mid-answer) surfaces as a plain error.
    return { kind: 'connection', message: err instanceof Error ? err.message : String(err) };
  }

  private body(req: ProviderRequest) {
    return {
      model: this.cfg.model,
      messages: req.messages,
      max_tokens: req.maxTokens,
      ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
    };
  }

  private options(call: ProviderCall) {
    if (this.opts.bearerTokenRequired && !call.bearerToken) {
      throw new DomainError(
        'unavailable',
        'llm.token_missing',
        `The language model (${this.cfg.provider}) needs the caller's exchanged gateway token, and none was obtained`,
      );
    }
    const headers: Record<string, string> = { ...call.headers };
    // Per-request headers win over the SDK's key header: the exchanged token replaces the key.
    if (call.bearerToken) headers.Authorization = `Bearer ${call.bearerToken}`;
    return { signal: call.signal, headers };
  }
}

/** `server_url` without its trailing slash, else the provider's public endpoint. */
export function baseUrlOf(cfg: LlmConfig, fallback: string): string {
  return (cfg.serverUrl ?? fallback).replace(/\/+$/, '');
}
