import type { RequestAudit } from '../observability/request-audit.js';
import type { AppKeyIdentity } from '../voicebox/ask-types.js';
import type { ChatCompletionRequestDto } from './dto/chat-completion-request.dto.js';
import type { ChatCompletionResponseDto } from './dto/chat-completion-response.dto.js';

/** The request a chat completion serves. */
export interface ChatCall {
  identity: AppKeyIdentity;
  audit: RequestAudit;
  /** This request's id (X-Request-Id), carried to the Voicebox Service in a split deployment. */
  requestId: string;
  /** Fires when the HTTP client goes away before its answer is complete. */
  signal: AbortSignal;
}

/**
 * Who answers the OpenAI-compatible face: this process's ask pipeline (ChatCompletionsService), or,
 * in a split deployment, the Voicebox Service's own /v1/chat/completions reached through the
 * gateway's forwarder (ForwardedChatCompletions). Bound by OpenAiCompatModule from the configuration.
 */
export abstract class ChatCompletions {
  abstract complete(
    body: ChatCompletionRequestDto,
    call: ChatCall,
  ): Promise<ChatCompletionResponseDto>;

  /** Server-sent events, each chunk ready to write; resolves once the answer has begun. */
  abstract stream(body: ChatCompletionRequestDto, call: ChatCall): Promise<AsyncIterable<string>>;
}
