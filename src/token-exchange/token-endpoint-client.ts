import type { Logger } from 'pino';
import type { ClientAuthentication, TokenRequest } from './client-authentication.js';
import type { DiscoveryDocuments } from './discovery-document.js';
import type { ExchangeGrant } from './exchange-grants.js';
import type { ExchangedToken, HopSettings } from './exchange-hop.js';
import {
  cleanDescription,
  exchangeBadResponse,
  exchangeClientRefused,
  exchangeRefused,
  exchangeUnavailable,
} from './token-exchange-errors.js';

const DEFAULT_RETRY_AFTER_SECONDS = 5;
// RFC 6749 leaves expires_in optional; Okta always sends it. Without it, assume a short life.
const DEFAULT_EXPIRES_IN_SECONDS = 300;

/** The user's token was refused: the user's problem (401/403). */
const USER_ERRORS = new Set([
  'invalid_grant',
  'invalid_request',
  'invalid_scope',
  'invalid_target',
]);
/** This service's client was refused: the operator's problem (502 and an error log). */
const CLIENT_ERRORS = new Set(['invalid_client', 'unauthorized_client']);

export type ExchangeOutcome = 'ok' | 'refused' | 'client_refused' | 'unavailable' | 'bad_response';

/**
 * One exchange request to one hop's token endpoint, and the mapping of every answer to a token or
 * a DomainError. No retry: a failed exchange answers 503 with Retry-After at once, so that the
 * caller's own retry meets an authorization server that had time to recover.
 */
export class TokenEndpointClient {
  constructor(
    readonly settings: HopSettings,
    private readonly grant: ExchangeGrant,
    private readonly auth: ClientAuthentication,
    private readonly discovery: DiscoveryDocuments,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  async exchange(subjectToken: string): Promise<ExchangedToken> {
    const { hop, audience, scope, discoveryUrl } = this.settings;
    const discoverySetting =
      hop === 'llm_gateway' ? 'OKTA_DISCOVERY_URL' : 'OKTA_DOMAIN and OKTA_AUTHORIZATION_SERVER_ID';
    const endpoint = await this.discovery.tokenEndpoint(discoveryUrl, hop, discoverySetting);
    const request: TokenRequest = {
      form: this.grant.form(subjectToken, audience, scope),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
    };
    await this.auth.apply(request, endpoint);
    const startedAt = Date.now();
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method: 'POST',
        headers: request.headers,
        body: request.form.toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const slow = err instanceof Error && err.name === 'TimeoutError';
      const why = slow
        ? `no answer within ${Date.now() - startedAt} ms`
        : 'authorization server unreachable';
      throw exchangeUnavailable(hop, DEFAULT_RETRY_AFTER_SECONDS, why, errorSummary(err));
    }
    const text = await res.text().catch(() => '');
    const body = parseJson(text);
    if (res.ok) return this.tokenOf(body);
    if (res.status >= 500 || res.status === 429) {
      const retryAfter = retryAfterSeconds(res.headers.get('retry-after'));
      throw exchangeUnavailable(hop, retryAfter, `status ${res.status}`);
    }
    const error = typeof body?.error === 'string' ? body.error : `status_${res.status}`;
    const reason = cleanDescription(body?.error_description, subjectToken);
    if (USER_ERRORS.has(error)) throw exchangeRefused(hop, error, reason);
    if (error === 'unsupported_grant_type') {
      // The server does not speak this dialect's grant at all (an Entra tenant asked for RFC 8693,
      // a Keycloak realm asked for on-behalf-of): the provider setting is what to fix.
      const providerSetting =
        hop === 'llm_gateway'
          ? `TOKEN_EXCHANGE_PROVIDER (now ${this.settings.provider})`
          : 'the authorization server (OKTA_DOMAIN and OKTA_AUTHORIZATION_SERVER_ID)';
      this.logger.error(
        { hop, error, error_description: reason, token_endpoint: endpoint },
        `the authorization server does not support the ${this.settings.provider} exchange grant for ${hop}: check ${providerSetting}`,
      );
      throw exchangeClientRefused(hop, error);
    }
    if (CLIENT_ERRORS.has(error) || res.status === 401) {
      this.logger.error(
        { hop, error, error_description: reason, token_endpoint: endpoint },
        error === 'unauthorized_client'
          ? `the authorization server does not allow this service's client the token exchange for ${hop}: check the client's grant types and allowed scopes, and ${this.settings.clientSettings}, ${this.settings.targetSettings}`
          : `the authorization server refused this service's client for the ${hop} exchange: check ${this.settings.clientSettings}`,
      );
      throw exchangeClientRefused(hop, error);
    }
    this.logger.error(
      { hop, error, error_description: reason, status: res.status },
      `unexpected token-exchange refusal: check ${this.settings.clientSettings}, ${this.settings.targetSettings}`,
    );
    throw exchangeBadResponse(hop, `status ${res.status} (${error})`);
  }

  private tokenOf(body: Record<string, unknown> | undefined): ExchangedToken {
    const token = body?.access_token;
    const type = body?.token_type;
    if (typeof token !== 'string' || token === '') {
      throw exchangeBadResponse(this.settings.hop, 'no access_token in the token response');
    }
    // Okta sends "Bearer"; some servers write it in lower case (RFC 6749 §7.1: case-insensitive).
    if (typeof type !== 'string' || type.toLowerCase() !== 'bearer') {
      throw exchangeBadResponse(this.settings.hop, 'the token response is not a bearer token');
    }
    const seconds = Number(body?.expires_in ?? DEFAULT_EXPIRES_IN_SECONDS);
    const life = Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_EXPIRES_IN_SECONDS;
    return { accessToken: token, expiresAt: Date.now() + life * 1000 };
  }
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function retryAfterSeconds(header: string | null): number {
  if (!header) return DEFAULT_RETRY_AFTER_SECONDS;
  const n = Number(header);
  if (Number.isFinite(n) && n >= 0) return Math.min(n, 300);
  const date = Date.parse(header);
  return Number.isNaN(date)
    ? DEFAULT_RETRY_AFTER_SECONDS
    : Math.min(300, Math.max(1, (date - Date.now()) / 1000));
}

/** A network error without its request (which would carry the form, and so the token). */
function errorSummary(err: unknown): Error {
  const e = err as { name?: string; message?: string; cause?: { code?: string } };
  return new Error(`${e.name ?? 'Error'}: ${e.cause?.code ?? e.message ?? 'fetch failed'}`);
}
