import { Injectable } from '@nestjs/common';
import { requestUserOf } from '../auth/identity.js';
import type { LlmCallContext, LlmUsageRecord } from '../llm/llm-types.js';
import type { RequestAudit } from '../observability/request-audit.js';
import type { AppKeyIdentity } from './ask-types.js';

export interface LlmCallRequest {
  identity: AppKeyIdentity;
  signal?: AbortSignal;
  audit?: RequestAudit;
  /** The turn's own record of each call (debug actions, tokens stored with the message). */
  onUsage?: (usage: LlmUsageRecord) => void;
}

/**
 * The one place that builds the `LlmCallContext` of a request: who the user is (for `$VOICEBOX_USER`
 * headers), the abort signal of the client's connection, and where usage goes (the request's
 * audit record and the turn). Asynchronous because token exchange adds the exchanged LLM-gateway
 * bearer token here.
 */
@Injectable()
export class LlmCallContextFactory {
  create(req: LlmCallRequest): Promise<LlmCallContext> {
    return Promise.resolve({
      user: requestUserOf(req.identity),
      signal: req.signal,
      onUsage: (usage) => {
        req.audit?.recordLlm(usage);
        req.onUsage?.(usage);
      },
    });
  }
}
