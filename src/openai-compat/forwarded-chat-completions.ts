import type { ForwardingVoiceboxBackend } from '../gateway/forwarding-voicebox-backend.js';
import { ChatCompletions, type ChatCall } from './chat-completions.js';
import type { ChatCompletionRequestDto } from './dto/chat-completion-request.dto.js';
import type { ChatCompletionResponseDto } from './dto/chat-completion-response.dto.js';

/**
 * The gateway of a split deployment: the request body goes to the Voicebox Service's
 * /v1/chat/completions as it came (the whole message list is the conversation), with the user's
 * exchanged token, the app key and the end user; its answer comes back as it was written.
 */
export class ForwardedChatCompletions extends ChatCompletions {
  constructor(private readonly forwarder: ForwardingVoiceboxBackend) {
    super();
  }

  async complete(
    body: ChatCompletionRequestDto,
    call: ChatCall,
  ): Promise<ChatCompletionResponseDto> {
    const answer = await this.forwarder.relayJson('v1/chat/completions', call, body);
    return answer.body as ChatCompletionResponseDto;
  }

  stream(body: ChatCompletionRequestDto, call: ChatCall): Promise<AsyncIterable<string>> {
    return this.forwarder.relayEvents('v1/chat/completions', call, body);
  }
}
