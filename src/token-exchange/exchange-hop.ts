import type { TokenExchangeProviderName } from '../config/env.schema.js';

/**
 * The two places where the user's token is exchanged: toward the LLM gateway (the Voicebox Service
 * side, TOKEN_EXCHANGE_PROVIDER and OKTA_*) and toward the Voicebox Service (the gateway side of a
 * split deployment, OKTA_BACKEND_* and OKTA_AUTHORIZATION_SERVER_*).
 */
export type ExchangeHop = 'llm_gateway' | 'voicebox_service';

/** How this service authenticates to the token endpoint. The private key wins when both are set. */
export type ClientCredential =
  { kind: 'secret'; secret: string } | { kind: 'private_key'; keyFile: string; keyId?: string };

/** Everything one hop needs, resolved from the configuration once at start-up. */
export interface HopSettings {
  hop: ExchangeHop;
  /** The dialect spoken to the authorization server (exchange-grants.ts). */
  provider: TokenExchangeProviderName;
  discoveryUrl: string;
  clientId: string;
  credential: ClientCredential;
  audience: string;
  /** Space-separated; may be empty (the server then grants its default scopes). */
  scope: string;
  /** The variables an operator fixes when this service's client is refused, for the error log. */
  clientSettings: string;
  /** The variables naming the target, for the same log when the server refuses the request shape. */
  targetSettings: string;
}

/** A token obtained by an exchange, with when it stops being usable (epoch milliseconds). */
export interface ExchangedToken {
  accessToken: string;
  expiresAt: number;
}
