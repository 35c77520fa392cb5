/** The vocabulary shared by the LLM port, its strategies and its callers. */
export type LlmRole = 'default' | 'external';

export interface LlmMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface LlmRequest {
  messages: LlmMessage[];
  /** Caps the answer; never above the configured `max_tokens`. */
  maxTokens?: number;
  temperature?: number;
}

export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface LlmCompletion {
  text: string;
  usage: LlmUsage;
  finishReason?: string;
}

/** A stream yields text deltas, then exactly one `done` with the usage of the whole call. */
export type LlmStreamEvent =
  { type: 'text'; text: string } | { type: 'done'; usage: LlmUsage; finishReason?: string };

export type LlmCallOutcome = 'ok' | 'rate_limited' | 'timeout' | 'error' | 'aborted';

/** One finished call, for the request's audit record. */
export interface LlmUsageRecord extends LlmUsage {
  role: LlmRole;
  provider: string;
  model: string;
  latencyMs: number;
  outcome: LlmCallOutcome;
  attempts: number;
}

export interface LlmCallContext {
  /** The requesting user, substituted for `$VOICEBOX_USER` in templated headers. */
  user?: string;
  /** The exchanged LLM-gateway token (token exchange on): sent as `Authorization: Bearer`. */
  bearerToken?: string;
  /** Aborts the provider call, e.g. when the HTTP client disconnects. */
  signal?: AbortSignal;
  /** Called once per call, success or failure, with tokens and latency. */
  onUsage?: (usage: LlmUsageRecord) => void;
}
