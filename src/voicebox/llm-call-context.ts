import { Injectable } from '@nestjs/common';
import { requestUserOf } from '../auth/identity.js';
import { DomainError } from '../common/errors/domain-error.js';
import { TokenExchangeService } from '../token-exchange/token-exchange.service.js';
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
 * audit record and the turn), and, with token exchange on, the user's token exchanged for the LLM
 * gateway (sent as the `Authorization` of every LLM call of the request).
 */
@Injectable()
export class LlmCallContextFactory {
  constructor(private readonly exchange: TokenExchangeService) {}

  async create(req: LlmCallRequest): Promise<LlmCallContext> {
    return {
      user: requestUserOf(req.identity),
      bearerToken: await this.gatewayToken(req),
      signal: req.signal,
      onUsage: (usage) => {
        req.audit?.recordLlm(usage);
        req.onUsage?.(usage);
      },
    };
  }

  /** With token exchange on: the user's token exchanged for the LLM gateway's audience and scope. */
  private async gatewayToken(req: LlmCallRequest): Promise<string | undefined> {
    if (!this.exchange.has('llm_gateway')) return undefined;
    const userToken = req.identity.userToken;
    if (!userToken) {
      // Configuration requires a JWT mode with token exchange, so only a token-less face gets here.
      throw new DomainError(
        'unauthenticated',
        'token_exchange.no_user_token',
        'Token exchange is on and this request carries no user token to exchange',
        { headers: { 'WWW-Authenticate': 'Bearer realm="voicebox"' } },
      );
    }
    return this.exchange.exchange('llm_gateway', userToken, (r) =>
      req.audit?.recordTokenExchange(r),
    );
  }
}
