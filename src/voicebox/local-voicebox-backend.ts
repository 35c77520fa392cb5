import { Injectable } from '@nestjs/common';
import { ndjsonLines } from './answer/ndjson.js';
import { AskPipeline } from './ask-pipeline.js';
import type { AskAnswer, AskInput } from './ask-types.js';
import { VoiceboxBackend, type VoiceboxCall } from './voicebox-backend.js';

/** The voicebox work done in this process: the ask pipeline (one process, or the Voicebox Service). */
@Injectable()
export class LocalVoiceboxBackend extends VoiceboxBackend {
  constructor(private readonly pipeline: AskPipeline) {
    super();
  }

  ask(call: VoiceboxCall): Promise<AskAnswer> {
    return this.pipeline.ask(inputOf(call), call.signal);
  }

  generateQuery(call: VoiceboxCall): Promise<AskAnswer> {
    return this.pipeline.generateQuery(inputOf(call), call.signal);
  }

  askStream(call: VoiceboxCall): Promise<AsyncIterable<string>> {
    return ndjsonLines(this.pipeline.askStream(inputOf(call), call.signal));
  }
}

function inputOf(call: VoiceboxCall): AskInput {
  return {
    question: call.question,
    conversationId: call.conversationId,
    identity: call.identity,
    audit: call.audit,
  };
}
