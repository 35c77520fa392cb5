import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';
import type { LlmDiagnosticDto } from './dto/llm-diagnostic.dto.js';
import type { LlmUsageRecord } from './llm-types.js';
import { LlmRegistry } from './llm-registry.js';

const PING = [{ role: 'user' as const, content: 'Reply with the single word OK.' }];

/** Checks each configured LLM with the smallest real call: one token. */
@Injectable()
export class LlmDiagnosticsService {
  constructor(private readonly registry: LlmRegistry) {}

  run(
    signal?: AbortSignal,
    onUsage?: (usage: LlmUsageRecord) => void,
  ): Promise<LlmDiagnosticDto[]> {
    return Promise.all(
      this.registry.configured().map(async (client): Promise<LlmDiagnosticDto> => {
        const started = Date.now();
        const base = { role: client.role, provider: client.provider, model: client.model };
        try {
          await client.complete({ messages: PING, maxTokens: 1 }, { signal, onUsage });
          return { ...base, ok: true, latency_ms: Date.now() - started };
        } catch (err) {
          // Only our own messages: they name the provider and the status, never a key.
          const error =
            err instanceof DomainError ? `${err.code}: ${err.message}` : 'unexpected failure';
          return { ...base, ok: false, latency_ms: Date.now() - started, error };
        }
      }),
    );
  }
}
