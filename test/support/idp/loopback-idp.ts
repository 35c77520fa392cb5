import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import Provider, { type Configuration } from 'oidc-provider';

/**
 * A real OAuth 2.0 authorization server on loopback: oidc-provider 9 issuing RS256 JWT access tokens
 * shaped like Okta's (`scp` array, `aud` = the resource), behind a small front that serves the JWKS
 * itself so that tests can rotate keys, take the JWKS down and count fetches.
 */
export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface LoopbackIdpOptions {
  /** Audience (resource indicator) of issued access tokens. */
  audience?: string;
  /** Scopes the resource server accepts. */
  scopes?: string[];
  clients?: Configuration['clients'];
  /**
   * Hook run after the provider is built, before it serves: e.g. the token-exchange work registers
   * `urn:ietf:params:oauth:grant-type:token-exchange` here with `provider.registerGrantType(...)`.
   */
  configure?: (provider: Provider, idp: LoopbackIdp) => void;
  /** Merged into the provider configuration (the `features` object is merged one level deep). */
  providerConfig?: Configuration;
}

export const TEST_CLIENT = { id: 'voicebox-tests', secret: 'voicebox-tests-secret-0123456789' };

export class LoopbackIdp {
  /** Requests to the JWKS endpoint, including refused ones. */
  jwksFetches = 0;
  /** 'up' serves; 'down' resets the connection; 'error' answers 503. */
  jwksMode: 'up' | 'down' | 'error' = 'up';
  /**
   * The token endpoint: 'up' serves; 'down' resets the connection; 'error' answers 503 with
   * Retry-After: 7; 'slow' answers after `tokenDelayMs`.
   */
  tokenMode: 'up' | 'down' | 'error' | 'slow' = 'up';
  tokenDelayMs = 0;
  /** Called for every request to the token endpoint, before the mode applies. */
  onTokenRequest?: () => void;
  readonly keys: SigningKey[] = [];
  provider!: Provider;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly issuer: string,
    readonly audience: string,
  ) {}

  static async start(opts: LoopbackIdpOptions = {}): Promise<LoopbackIdp> {
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    const idp = new LoopbackIdp(
      server,
      `http://127.0.0.1:${port}`,
      opts.audience ?? 'https://voicebox.test/api',
    );
    const first = await idp.addKey();
    const scopes = opts.scopes ?? ['voicebox:read', 'voicebox:write', 'voicebox:admin'];
    const { features, ...rest } = opts.providerConfig ?? {};
    idp.provider = new Provider(idp.issuer, {
      clients: opts.clients ?? [
        {
          client_id: TEST_CLIENT.id,
          client_secret: TEST_CLIENT.secret,
          grant_types: ['client_credentials'],
          redirect_uris: [],
          response_types: [],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      jwks: { keys: [await exportJWK(first.privateKey).then((k) => ({ ...k, kid: first.kid }))] },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => idp.audience,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({
            scope: scopes.join(' '),
            audience: idp.audience,
            accessTokenTTL: 300,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          }),
        },
        ...features,
      },
      ttl: { ClientCredentials: 300 },
      // Okta puts the granted scopes in `scp` as an array.
      extraTokenClaims: (_ctx, token) => ({ scp: (token.scope ?? '').split(' ').filter(Boolean) }),
      ...rest,
    });
    opts.configure?.(idp.provider, idp);
    const callback = idp.provider.callback();
    server.on('connection', (s: Socket) => {
      idp.sockets.add(s);
      s.on('close', () => idp.sockets.delete(s));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      // Okta's custom authorization servers live under /oauth2/{id}: answer there too.
      req.url = (req.url ?? '/').replace(/^\/oauth2\/[^/]+\//, '/');
      if (req.url === '/jwks') return idp.serveJwks(req, res);
      if (req.url === '/token') return void idp.serveToken(req, res, callback);
      void callback(req, res);
    });
    return idp;
  }

  get jwksUri(): string {
    return `${this.issuer}/jwks`;
  }

  /** A new signing key, published in the JWKS from now on (key rotation). */
  async addKey(alg = 'RS256'): Promise<SigningKey> {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const kid = randomUUID();
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
    const key = { kid, alg, privateKey, publicJwk };
    this.keys.push(key);
    return key;
  }

  /** A real access token from the provider's token endpoint (client_credentials). */
  async issueToken(scope: string): Promise<string> {
    const res = await fetch(`${this.issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${TEST_CLIENT.id}:${TEST_CLIENT.secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope,
        resource: this.audience,
      }),
    });
    const body = (await res.json()) as { access_token?: string };
    if (!res.ok || !body.access_token) throw new Error(`token endpoint: ${JSON.stringify(body)}`);
    return body.access_token;
  }

  /**
   * A token forged with jose: valid defaults (this IdP's first key, iss, aud, sub, exp in 5 min, scp),
   * overridden by `claims` (a claim set to undefined is removed) and `opts`.
   */
  async forge(
    claims: Record<string, unknown> = {},
    opts: { key?: SigningKey; header?: Record<string, unknown>; alg?: string } = {},
  ): Promise<string> {
    const key = opts.key ?? this.keys[0];
    const now = Math.floor(Date.now() / 1000);
    const payload: JWTPayload = {
      iss: this.issuer,
      aud: this.audience,
      sub: 'user-1',
      iat: now,
      exp: now + 300,
      scp: ['voicebox:read'],
      jti: randomUUID(),
      ...claims,
    };
    for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
    const alg = opts.alg ?? key.alg;
    return new SignJWT(payload)
      .setProtectedHeader({ alg, kid: key.kid, ...opts.header })
      .sign(key.privateKey);
  }

  /** An HS256 token whose HMAC secret is this IdP's public key (the classic key-confusion attack). */
  async forgeHs256WithPublicKey(claims: Record<string, unknown> = {}): Promise<string> {
    const valid = await this.forge(claims);
    const [, payload] = valid.split('.');
    const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: this.keys[0].kid }));
    const secret = JSON.stringify(this.keys[0].publicJwk);
    const sig = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${sig}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((done) => this.server.close(() => done()));
  }

  private async serveToken(
    req: IncomingMessage,
    res: ServerResponse,
    callback: (req: IncomingMessage, res: ServerResponse) => unknown,
  ): Promise<void> {
    this.onTokenRequest?.();
    if (this.tokenMode === 'down') {
      req.socket.destroy();
      return;
    }
    if (this.tokenMode === 'error') {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '7' }).end('unavailable');
      return;
    }
    if (this.tokenMode === 'slow') await new Promise((r) => setTimeout(r, this.tokenDelayMs));
    if (res.destroyed) return;
    await callback(req, res);
  }

  private serveJwks(req: IncomingMessage, res: ServerResponse): void {
    this.jwksFetches++;
    if (this.jwksMode === 'down') {
      req.socket.destroy();
      return;
    }
    if (this.jwksMode === 'error') {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/jwk-set+json' })
      .end(JSON.stringify({ keys: this.keys.map((k) => k.publicJwk) }));
  }
}

export const b64url = (s: string) => Buffer.from(s).toString('base64url');
