import type { RequestAudit } from '../observability/request-audit.js';
import type { AppKeyIdentity, AskAnswer } from './ask-types.js';

/** One call of a voicebox route, as the controller received it (body already validated). */
export interface VoiceboxCall {
  /** The question as sent (`query` or `message`), directives included. */
  question: string;
  conversationId?: string;
  thinkMode?: string;
  identity: AppKeyIdentity;
  audit: RequestAudit;
  /** This request's id (X-Request-Id), carried to the Voicebox Service so both audit records share it. */
  requestId: string;
  /** Fires when the HTTP client goes away before its answer is complete. */
  signal: AbortSignal;
}

/**
 * Who does the voicebox work of the public routes: this process's own ask pipeline
 * (LocalVoiceboxBackend), or, in a split deployment (VOICEBOX_SERVICE_ENDPOINT set), another
 * instance reached over HTTP (gateway/forwarding-voicebox-backend.ts). Bound by VoiceboxModule from
 * the configuration, so the controller never asks which one it has.
 */
export abstract class VoiceboxBackend {
  abstract ask(call: VoiceboxCall): Promise<AskAnswer>;

  abstract generateQuery(call: VoiceboxCall): Promise<AskAnswer>;

  /**
   * The NDJSON lines of a streamed answer, each ending in a newline. Resolves once the first line is
   * known: a failure before it is still an HTTP error; a later one ends the stream with a line
   * carrying an `error` action. Stopping the iteration stops the work.
   */
  abstract askStream(call: VoiceboxCall): Promise<AsyncIterable<string>>;
}
