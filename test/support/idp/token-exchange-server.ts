import { createLocalJWKSet, decodeJwt, exportJWK, jwtVerify, type JWK } from 'jose';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { LoopbackIdp } from './loopback-idp.js';

/**
 * The loopback authorization server of the token-exchange tests: oidc-provider 9 behind LoopbackIdp,
 * speaking one dialect of on-behalf-of exchange.
 * - `okta`: RFC 8693 token exchange as Okta's custom authorization servers answer it: `audience`
 *   required (unknown: invalid_target), `scope` within the audience's scopes (else invalid_scope)
 *   and within what the client is allowed (else unauthorized_client "Scope not permitted"), the
 *   subject token verified (bad: invalid_request "'subject_token' is invalid", expired:
 *   invalid_grant), `scp` as an array and `cid` in the issued token, no refresh token; for
 *   private_key_jwt the assertion's `aud` must be the token endpoint itself.
 * - `rfc8693`: the same grant as a generic server (Keycloak) answers it: `requested_token_type`
 *   must be the access-token type, and `token_type` comes back in lower case.
 * - `entra`: Microsoft Entra on-behalf-of, the jwt-bearer grant with `assertion`,
 *   `requested_token_use=on_behalf_of`, and the audience inside each scope (`api://x/scope`);
 *   its v2 tokens carry `scp` as a space-separated string and the exchanging client as `azp`, and
 *   an assertion it cannot validate is invalid_grant (AADSTS50013).
 * Users get their first token with the resource-owner password grant (`issueUserToken`).
 */
export type ExchangeDialect = 'okta' | 'rfc8693' | 'entra';

export interface ResourceServer {
  audience: string;
  scopes: string[];
  /** Life of the tokens issued for this audience, in seconds. */
  ttlSeconds?: number;
}

export interface ExchangeClient {
  id: string;
  /** A client secret, or the public key of its private-key JWT. */
  secret?: string;
  publicJwk?: JWK;
  /** The scopes this client may obtain per audience (absent: every scope of the audience). */
  allowed?: Record<string, string[]>;
}

export interface RecordedExchange {
  dialect: ExchangeDialect;
  clientId: string;
  audience: string;
  scope: string;
  subject: string;
  authMethod: string;
  form: Record<string, string>;
}

export interface TokenExchangeServerOptions {
  dialect?: ExchangeDialect;
  resourceServers: ResourceServer[];
  clients: ExchangeClient[];
  /** The resource-owner password grant's users: name → password. */
  users?: Record<string, string>;
  /** The user-facing client that obtains user tokens with the password grant. */
  userClient?: { id: string; secret: string };
}

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export class TokenExchangeServer {
  readonly exchanges: RecordedExchange[] = [];
  /** Every request to the token endpoint (exchanges, refused ones and user logins alike). */
  tokenRequests = 0;

  private constructor(
    readonly idp: LoopbackIdp,
    readonly dialect: ExchangeDialect,
    private readonly opts: TokenExchangeServerOptions,
  ) {}

  static async start(opts: TokenExchangeServerOptions): Promise<TokenExchangeServer> {
    const dialect = opts.dialect ?? 'okta';
    const userClient = opts.userClient ?? {
      id: 'voicebox-app',
      secret: 'voicebox-app-secret-0123456789',
    };
    const byAudience = new Map(opts.resourceServers.map((r) => [r.audience, r]));
    const self = {} as { server: TokenExchangeServer };
    const clients = [
      {
        client_id: userClient.id,
        client_secret: userClient.secret,
        grant_types: ['password'],
        redirect_uris: [],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      ...opts.clients.map((c) => ({
        client_id: c.id,
        grant_types: [dialect === 'entra' ? JWT_BEARER : TOKEN_EXCHANGE],
        redirect_uris: [],
        response_types: [],
        ...(c.publicJwk
          ? {
              token_endpoint_auth_method: 'private_key_jwt',
              jwks: { keys: [c.publicJwk] },
            }
          : {
              client_secret: c.secret,
              token_endpoint_auth_method:
                dialect === 'entra' ? 'client_secret_post' : 'client_secret_basic',
            }),
      })),
    ];
    const idp = await LoopbackIdp.start({
      audience: opts.resourceServers[0].audience,
      clients: clients as never,
      providerConfig: {
        features: {
          resourceIndicators: {
            enabled: true,
            defaultResource: () => opts.resourceServers[0].audience,
            useGrantedResource: () => true,
            getResourceServerInfo: (_ctx, indicator) => {
              const rs = byAudience.get(indicator);
              if (!rs) throw new errors.InvalidTarget();
              return resourceServerInfo(rs);
            },
          },
        },
        ttl: { ClientCredentials: 300, Grant: 3600, AccessToken: 3600 },
        extraTokenClaims: (_ctx, token) =>
          dialect === 'entra'
            ? { scp: token.scope ?? '', azp: token.clientId }
            : { scp: (token.scope ?? '').split(' ').filter(Boolean), cid: token.clientId },
        // Okta checks that a private-key JWT names the token endpoint itself as its audience.
        assertJwtClientAuthClaimsAndHeader: (ctx, claims) => {
          const endpoint = `${self.server.idp.issuer}/token`;
          if (claims.aud !== endpoint) {
            throw new errors.InvalidClientAuth(
              'The audience of the client_assertion JWT must be the token endpoint',
            );
          }
          void ctx;
        },
      },
      configure: (provider) => {
        provider.registerGrantType('password', (ctx) => self.server.passwordGrant(ctx), [
          'username',
          'password',
          'scope',
          'resource',
        ]);
        if (dialect === 'entra') {
          provider.registerGrantType(JWT_BEARER, (ctx) => self.server.onBehalfOf(ctx), [
            'assertion',
            'requested_token_use',
            'scope',
          ]);
        } else {
          provider.registerGrantType(
            TOKEN_EXCHANGE,
            (ctx) => self.server.tokenExchange(ctx),
            [
              'audience',
              'resource',
              'scope',
              'requested_token_type',
              'subject_token',
              'subject_token_type',
              'actor_token',
              'actor_token_type',
            ],
            ['audience', 'resource'],
          );
        }
      },
    });
    const server = new TokenExchangeServer(idp, dialect, opts);
    self.server = server;
    idp.onTokenRequest = () => server.tokenRequests++;
    return server;
  }

  get issuer(): string {
    return this.idp.issuer;
  }

  get tokenEndpoint(): string {
    return `${this.idp.issuer}/token`;
  }

  get discoveryUrl(): string {
    return `${this.idp.issuer}/.well-known/openid-configuration`;
  }

  /** Exchanges made for `audience` (successful ones). */
  exchangesFor(audience: string): RecordedExchange[] {
    return this.exchanges.filter((e) => e.audience === audience);
  }

  /** A user's access token for `audience`, with the password grant of the user-facing client. */
  async issueUserToken(user: string, audience: string, scope: string): Promise<string> {
    const client = this.opts.userClient ?? {
      id: 'voicebox-app',
      secret: 'voicebox-app-secret-0123456789',
    };
    const res = await fetch(this.tokenEndpoint, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'password',
        username: user,
        password: this.opts.users?.[user] ?? `${user}-password`,
        scope,
        resource: audience,
      }),
    });
    const body = (await res.json()) as { access_token?: string };
    if (!res.ok || !body.access_token) throw new Error(`password grant: ${JSON.stringify(body)}`);
    return body.access_token;
  }

  close(): Promise<void> {
    return this.idp.close();
  }

  private async passwordGrant(ctx: KoaContextWithOIDC): Promise<void> {
    const { username, password, scope, resource } = ctx.oidc.params as Record<string, string>;
    const expected = this.opts.users?.[username] ?? `${username}-password`;
    if (!username || password !== expected) {
      throw new errors.InvalidGrant('The credentials provided were invalid.');
    }
    const rs = this.resourceServer(resource);
    ctx.body = await this.issue(ctx, username, rs, this.grantedScopes(rs, scope));
  }

  private async tokenExchange(ctx: KoaContextWithOIDC): Promise<void> {
    const params = ctx.oidc.params as Record<string, string | undefined>;
    if (params.subject_token_type !== ACCESS_TOKEN_TYPE) {
      throw new errors.InvalidRequest("'subject_token_type' must be the access token type");
    }
    if (this.dialect === 'rfc8693' && params.requested_token_type !== ACCESS_TOKEN_TYPE) {
      throw new errors.InvalidRequest("'requested_token_type' must be the access token type");
    }
    if (params.actor_token) throw new errors.InvalidRequest('actor tokens are not supported');
    if (!params.audience) throw new errors.InvalidRequest("'audience' is required");
    const rs = this.resourceServer(params.audience);
    const subject = await this.verifySubject(params.subject_token, "'subject_token' is invalid");
    const scopes = this.grantedScopes(rs, params.scope);
    this.checkAllowed(ctx, rs, scopes);
    const body = await this.issue(ctx, subject, rs, scopes);
    this.record(ctx, rs, scopes, subject);
    ctx.body = {
      ...body,
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: this.dialect === 'rfc8693' ? 'bearer' : 'Bearer',
    };
  }

  private async onBehalfOf(ctx: KoaContextWithOIDC): Promise<void> {
    const params = ctx.oidc.params as Record<string, string | undefined>;
    if (params.requested_token_use !== 'on_behalf_of') {
      throw new errors.InvalidRequest("'requested_token_use' must be on_behalf_of");
    }
    const requested = (params.scope ?? '').split(' ').filter(Boolean);
    if (requested.length === 0) throw new errors.InvalidRequest("'scope' is required");
    // Entra names the resource inside each scope: api://llm-gateway/llm.invoke
    const resources = new Set(requested.map((s) => s.slice(0, s.lastIndexOf('/'))));
    if (resources.size !== 1) throw new errors.InvalidRequest('scopes of more than one resource');
    const rs = this.resourceServer([...resources][0]);
    const names = requested.map((s) => s.slice(s.lastIndexOf('/') + 1));
    const scopes = names.includes('.default') ? rs.scopes : names;
    const subject = await this.verifySubject(
      params.assertion,
      'AADSTS50013: Assertion failed signature validation.',
      'grant',
    );
    const granted = this.grantedScopes(rs, scopes.join(' '));
    this.checkAllowed(ctx, rs, granted);
    ctx.body = await this.issue(ctx, subject, rs, granted);
    this.record(ctx, rs, granted, subject);
  }

  private resourceServer(audience: string | undefined): ResourceServer {
    const rs = this.opts.resourceServers.find((r) => r.audience === audience);
    if (!rs)
      throw new errors.InvalidTarget('The audience is not valid for this authorization server');
    return rs;
  }

  private grantedScopes(rs: ResourceServer, scope: string | undefined): string[] {
    const requested = (scope ?? '').split(' ').filter(Boolean);
    if (requested.length === 0) return rs.scopes;
    const unknown = requested.filter((s) => !rs.scopes.includes(s));
    if (unknown.length > 0) {
      throw new errors.InvalidScope(
        `The following scopes are invalid: ${unknown.join(' ')}`,
        unknown.join(' '),
      );
    }
    return requested;
  }

  private checkAllowed(ctx: KoaContextWithOIDC, rs: ResourceServer, scopes: string[]): void {
    const client = this.opts.clients.find((c) => c.id === ctx.oidc.client?.clientId);
    const allowed = client?.allowed?.[rs.audience];
    if (allowed && scopes.some((s) => !allowed.includes(s))) {
      throw new errors.UnauthorizedClient('Scope not permitted');
    }
  }

  private async verifySubject(
    token: string | undefined,
    refusal: string,
    refuseAs: 'request' | 'grant' = 'request',
  ): Promise<string> {
    if (!token) throw new errors.InvalidRequest(refusal);
    const jwks = createLocalJWKSet({ keys: this.idp.keys.map((k) => k.publicJwk) });
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer: this.idp.issuer });
      if (typeof payload.sub !== 'string') throw new Error('no sub');
      return payload.sub;
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_JWT_EXPIRED') {
        const e = new errors.InvalidGrant();
        e.error_description = 'The subject token is expired.';
        throw e;
      }
      if (refuseAs === 'grant') {
        const e = new errors.InvalidGrant();
        e.error_description = refusal;
        throw e;
      }
      throw new errors.InvalidRequest(refusal);
    }
  }

  private async issue(
    ctx: KoaContextWithOIDC,
    accountId: string,
    rs: ResourceServer,
    scopes: string[],
  ): Promise<Record<string, unknown>> {
    const provider = ctx.oidc.provider;
    const client = ctx.oidc.client!;
    const scope = scopes.join(' ');
    const grant = new provider.Grant({ accountId, clientId: client.clientId });
    grant.addResourceScope(rs.audience, scope);
    const grantId = await grant.save();
    const token = new provider.AccessToken({
      accountId,
      client,
      grantId,
      gty: 'token_exchange',
      scope,
    });
    token.resourceServer = new provider.ResourceServer(rs.audience, resourceServerInfo(rs));
    const value = await token.save();
    return {
      access_token: value,
      token_type: 'Bearer',
      expires_in: token.expiration,
      scope,
    };
  }

  private record(
    ctx: KoaContextWithOIDC,
    rs: ResourceServer,
    scopes: string[],
    subject: string,
  ): void {
    const params = ctx.oidc.params as Record<string, string | undefined>;
    const form: Record<string, string> = {};
    for (const [k, v] of Object.entries(params)) if (typeof v === 'string') form[k] = v;
    this.exchanges.push({
      dialect: this.dialect,
      clientId: ctx.oidc.client!.clientId,
      audience: rs.audience,
      scope: scopes.join(' '),
      subject,
      authMethod:
        params.client_assertion_type === ASSERTION_TYPE ? 'private_key_jwt' : 'client_secret',
      form,
    });
  }
}

function resourceServerInfo(rs: ResourceServer) {
  return {
    scope: rs.scopes.join(' '),
    audience: rs.audience,
    accessTokenTTL: rs.ttlSeconds ?? 3600,
    accessTokenFormat: 'jwt' as const,
    jwt: { sign: { alg: 'RS256' as const } },
  };
}

/** A private key for private_key_jwt: its PEM (for OKTA_PRIVATE_KEY_PATH) and its public JWK. */
export async function clientKeyPair(kid: string): Promise<{ pem: string; publicJwk: JWK }> {
  const { generateKeyPairSync } = await import('node:crypto');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicJwk };
}

/** The claims of a token (for assertions), unverified. */
export const claimsOf = (token: string) => decodeJwt(token);
