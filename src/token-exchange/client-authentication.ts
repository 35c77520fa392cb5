import { createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignJWT, calculateJwkThumbprint, exportJWK } from 'jose';
import { ConfigError } from '../config/load-config.js';
import type { HopSettings } from './exchange-hop.js';

/** A token request's form and headers, which a client-authentication method completes. */
export interface TokenRequest {
  form: URLSearchParams;
  headers: Record<string, string>;
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
// Okta accepts an assertion that expires at most an hour ahead; a short life limits a leaked one.
const ASSERTION_LIFETIME_SECONDS = 60;

/** How this service proves itself to the token endpoint. */
export abstract class ClientAuthentication {
  abstract apply(request: TokenRequest, tokenEndpoint: string): Promise<void>;
}

/** client_secret_basic (RFC 6749 §2.3.1: both parts form-encoded before Base64). */
export class ClientSecretBasic extends ClientAuthentication {
  constructor(
    private readonly clientId: string,
    private readonly secret: string,
  ) {
    super();
  }

  apply(request: TokenRequest): Promise<void> {
    const user = `${formEncode(this.clientId)}:${formEncode(this.secret)}`;
    request.headers.authorization = `Basic ${Buffer.from(user).toString('base64')}`;
    return Promise.resolve();
  }
}

/** client_secret_post: what Microsoft Entra's on-behalf-of documentation sends. */
export class ClientSecretPost extends ClientAuthentication {
  constructor(
    private readonly clientId: string,
    private readonly secret: string,
  ) {
    super();
  }

  apply(request: TokenRequest): Promise<void> {
    request.form.set('client_id', this.clientId);
    request.form.set('client_secret', this.secret);
    return Promise.resolve();
  }
}

/**
 * private_key_jwt (RFC 7523) as Okta checks it: `iss` = `sub` = client id, `aud` = the full token
 * endpoint URL (not the issuer, which openid-client would use), a fresh `jti` every time (Okta
 * refuses a replayed one), a short `exp`, and `kid` in the header.
 */
export class PrivateKeyJwt extends ClientAuthentication {
  constructor(
    private readonly clientId: string,
    private readonly key: KeyObject,
    private readonly alg: string,
    readonly kid: string,
  ) {
    super();
  }

  static async fromFile(
    clientId: string,
    file: string,
    keyId: string | undefined,
    variable: string,
  ): Promise<PrivateKeyJwt> {
    let key: KeyObject;
    try {
      key = createPrivateKey(readFileSync(file));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const reason =
        code?.startsWith('E') && !code.startsWith('ERR_')
          ? `cannot read ${file} (${code})`
          : `${file} is not a PEM private key`;
      throw new ConfigError([{ where: variable, reason }]);
    }
    const alg = algorithmOf(key);
    if (!alg) {
      throw new ConfigError([
        {
          where: variable,
          reason: `${file}: only RSA and EC (P-256, P-384, P-521) keys are supported`,
        },
      ]);
    }
    const kid = keyId ?? (await calculateJwkThumbprint(await exportJWK(createPublicKey(key))));
    return new PrivateKeyJwt(clientId, key, alg, kid);
  }

  async apply(request: TokenRequest, tokenEndpoint: string): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: this.alg, kid: this.kid, typ: 'JWT' })
      .setIssuer(this.clientId)
      .setSubject(this.clientId)
      .setAudience(tokenEndpoint)
      .setIssuedAt(now)
      .setExpirationTime(now + ASSERTION_LIFETIME_SECONDS)
      .setJti(randomUUID())
      .sign(this.key);
    request.form.set('client_id', this.clientId);
    request.form.set('client_assertion_type', ASSERTION_TYPE);
    request.form.set('client_assertion', assertion);
  }
}

/** The client authentication a hop's settings describe (the private key wins over the secret). */
export async function clientAuthenticationFor(
  settings: HopSettings,
  secretStyle: 'basic' | 'post',
): Promise<ClientAuthentication> {
  const c = settings.credential;
  if (c.kind === 'private_key') {
    const variable =
      settings.hop === 'llm_gateway'
        ? 'OKTA_PRIVATE_KEY_PATH'
        : 'OKTA_BACKEND_CLIENT_PRIVATE_KEY_FILE';
    return PrivateKeyJwt.fromFile(settings.clientId, c.keyFile, c.keyId, variable);
  }
  return secretStyle === 'post'
    ? new ClientSecretPost(settings.clientId, c.secret)
    : new ClientSecretBasic(settings.clientId, c.secret);
}

function algorithmOf(key: KeyObject): string | undefined {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType !== 'ec') return undefined;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' }[curve ?? ''];
}

function formEncode(s: string): string {
  return encodeURIComponent(s).replace(/%20/g, '+');
}
