import { Module } from '@nestjs/common';
import { VoiceboxModule } from '../voicebox/voicebox.module.js';
import { ChatCompletionsController } from './chat-completions.controller.js';
import { ChatCompletionsService } from './chat-completions.service.js';

/** The OpenAI-compatible face of the ask pipeline: /v1/chat/completions and /v1/models. */
@Module({
  imports: [VoiceboxModule],
  controllers: [ChatCompletionsController],
  providers: [ChatCompletionsService],
})
export class OpenAiCompatModule {}
