import type { z } from 'zod';
import { DomainError } from '../common/errors/domain-error.js';
import { parseJsonReply } from './json-reply.js';
import type {
  LlmCallContext,
  LlmCompletion,
  LlmRequest,
  LlmRole,
  LlmStreamEvent,
} from './llm-types.js';

const JSON_INSTRUCTION =
  'Answer with one JSON object only: no prose before or after it, no markdown code fence.';

/**
 * The port through which the service talks to a language model. Injection token for the default
 * role; `LlmRegistry.get(role)` gives the external one. Errors are DomainErrors: 502 (the provider
 * refused or broke), 504 (timeout), 429 (rate limited, with Retry-After), 503 (no LLM configured).
 */
export abstract class LlmClient {
  abstract readonly role: LlmRole;
  abstract readonly provider: string;
  abstract readonly model: string;

  abstract complete(req: LlmRequest, ctx?: LlmCallContext): Promise<LlmCompletion>;

  abstract stream(req: LlmRequest, ctx?: LlmCallContext): AsyncIterable<LlmStreamEvent>;

  /**
   * A JSON answer validated against `schema`. Not every provider offers a JSON mode (Llama models
   * have none), so the prompt asks for JSON, the reply is validated, and an invalid reply gets one
   * repair request quoting the problem before the call fails with 502.
   */
  async completeJson<T>(req: LlmRequest, schema: z.ZodType<T>, ctx?: LlmCallContext): Promise<T> {
    const messages = [...req.messages, { role: 'system' as const, content: JSON_INSTRUCTION }];
    const first = await this.complete({ ...req, messages }, ctx);
    const parsed = parseJsonReply(first.text, schema);
    if (parsed.ok) return parsed.value;
    const repair = await this.complete(
      {
        ...req,
        messages: [
          ...messages,
          { role: 'assistant', content: first.text },
          {
            role: 'user',
            content: `That reply is not valid: ${parsed.problem}. Reply again with only the corrected JSON object.`,
          },
        ],
      },
      ctx,
    );
    const second = parseJsonReply(repair.text, schema);
    if (second.ok) return second.value;
    throw new DomainError(
      'dependency_failed',
      'llm.invalid_output',
      `The language model (${this.provider}) did not return valid JSON: ${second.problem}`,
    );
  }
}
