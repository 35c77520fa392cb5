import { LlmClient } from './llm-client.js';
import { llmNotConfigured } from './llm-errors.js';
import type { LlmCompletion, LlmRole, LlmStreamEvent } from './llm-types.js';

/** Stands in when VBX_CONFIG_FILE is unset: the service starts, LLM calls answer 503. */
export class NotConfiguredLlmClient extends LlmClient {
  readonly provider = 'none';
  readonly model = 'none';

  constructor(readonly role: LlmRole) {
    super();
  }

  complete(): Promise<LlmCompletion> {
    return Promise.reject(llmNotConfigured());
  }

  // eslint-disable-next-line require-yield
  async *stream(): AsyncIterable<LlmStreamEvent> {
    await Promise.resolve();
    throw llmNotConfigured();
  }
}
