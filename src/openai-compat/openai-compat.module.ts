import { Module } from '@nestjs/common';
import { GatewayModule, VOICEBOX_FORWARDER } from '../gateway/gateway.module.js';
import type { ForwardingVoiceboxBackend } from '../gateway/forwarding-voicebox-backend.js';
import { VoiceboxModule } from '../voicebox/voicebox.module.js';
import { ChatCompletions } from './chat-completions.js';
import { ChatCompletionsController } from './chat-completions.controller.js';
import { ChatCompletionsService } from './chat-completions.service.js';
import { ForwardedChatCompletions } from './forwarded-chat-completions.js';

/**
 * The OpenAI-compatible face of the ask pipeline: /v1/chat/completions and /v1/models. In a split
 * deployment the gateway forwards the completions to the Voicebox Service, like the voicebox routes.
 */
@Module({
  imports: [VoiceboxModule, GatewayModule],
  controllers: [ChatCompletionsController],
  providers: [
    ChatCompletionsService,
    {
      provide: ChatCompletions,
      inject: [VOICEBOX_FORWARDER, ChatCompletionsService],
      useFactory: (forwarder: ForwardingVoiceboxBackend | null, local: ChatCompletionsService) =>
        forwarder ? new ForwardedChatCompletions(forwarder) : local,
    },
  ],
})
export class OpenAiCompatModule {}
