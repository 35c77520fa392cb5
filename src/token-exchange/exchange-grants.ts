import type { TokenExchangeProviderName } from '../config/env.schema.js';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';

/**
 * One dialect of "give me a token for this audience on behalf of the holder of this token": the
 * form of the token request, and how a client secret is sent. Chosen by TOKEN_EXCHANGE_PROVIDER
 * through EXCHANGE_GRANTS; adding a dialect is one class and one line there.
 */
export abstract class ExchangeGrant {
  abstract readonly secretStyle: 'basic' | 'post';
  abstract form(subjectToken: string, audience: string, scope: string): URLSearchParams;
}

/** Okta's on-behalf-of token exchange: RFC 8693 with `audience` and `scope`, no actor token. */
export class OktaTokenExchange extends ExchangeGrant {
  readonly secretStyle = 'basic';

  form(subjectToken: string, audience: string, scope: string): URLSearchParams {
    const form = new URLSearchParams({
      grant_type: TOKEN_EXCHANGE,
      subject_token_type: ACCESS_TOKEN,
      subject_token: subjectToken,
      audience,
    });
    if (scope) form.set('scope', scope);
    return form;
  }
}

/** Any RFC 8693 server (Keycloak among them): Okta's form plus the requested token type. */
export class Rfc8693TokenExchange extends OktaTokenExchange {
  override form(subjectToken: string, audience: string, scope: string): URLSearchParams {
    const form = super.form(subjectToken, audience, scope);
    form.set('requested_token_type', ACCESS_TOKEN);
    return form;
  }
}

/**
 * Microsoft Entra ID on-behalf-of: the RFC 7523 jwt-bearer grant with the user's token as
 * `assertion` and `requested_token_use=on_behalf_of`. Entra has no `audience` parameter: the
 * target is named inside each scope (`api://llm-gateway/llm.invoke`), so a bare scope is prefixed
 * with the audience, and no scope at all asks for the audience's `/.default`.
 */
export class EntraOnBehalfOf extends ExchangeGrant {
  readonly secretStyle = 'post';

  form(subjectToken: string, audience: string, scope: string): URLSearchParams {
    const base = audience.replace(/\/+$/, '');
    const scopes = scope.split(/\s+/).filter(Boolean);
    const qualified = scopes.length
      ? scopes.map((s) => (/^[a-z][a-z0-9+.-]*:/i.test(s) ? s : `${base}/${s}`))
      : [`${base}/.default`];
    return new URLSearchParams({
      grant_type: JWT_BEARER,
      assertion: subjectToken,
      requested_token_use: 'on_behalf_of',
      scope: qualified.join(' '),
    });
  }
}

/** The registry of dialects, bound to the EXCHANGE_GRANTS injection token. */
export const EXCHANGE_GRANTS: Record<TokenExchangeProviderName, ExchangeGrant> = {
  okta: new OktaTokenExchange(),
  rfc8693: new Rfc8693TokenExchange(),
  entra: new EntraOnBehalfOf(),
};

export const EXCHANGE_GRANTS_TOKEN = Symbol('EXCHANGE_GRANTS');
