import type { AppConfig } from '../config/app-config.js';
import type { ClientCredential, HopSettings } from './exchange-hop.js';

/** The hop toward the LLM gateway (TOKEN_EXCHANGE_PROVIDER, OKTA_*), or undefined when it is off. */
export function llmGatewayHop(config: AppConfig): HopSettings | undefined {
  const tx = config.tokenExchange;
  if (!tx.provider || !tx.clientId || !tx.discoveryUrl || !tx.audience) return undefined;
  const credential = credentialOf(tx.privateKeyPath, tx.privateKeyId, tx.clientSecret);
  if (!credential) return undefined;
  return {
    hop: 'llm_gateway',
    provider: tx.provider,
    discoveryUrl: tx.discoveryUrl,
    clientId: tx.clientId,
    credential,
    audience: tx.audience,
    scope: tx.scope ?? '',
    clientSettings:
      credential.kind === 'private_key'
        ? 'OKTA_CLIENT_ID and OKTA_PRIVATE_KEY_PATH (OKTA_PRIVATE_KEY_ID)'
        : 'OKTA_CLIENT_ID and OKTA_CLIENT_SECRET',
    targetSettings: 'OKTA_LLM_GATEWAY_AUDIENCE and OKTA_LLM_GATEWAY_SCOPE',
  };
}

/**
 * The hop toward the Voicebox Service (split deployment, VOICEBOX_SERVICE_ENDPOINT set): Okta's
 * custom authorization server OKTA_AUTHORIZATION_SERVER_ID on OKTA_DOMAIN, discovered at its
 * well-known address.
 */
export function voiceboxServiceHop(config: AppConfig): HopSettings | undefined {
  const gw = config.gateway;
  if (!gw.serviceEndpoint || !gw.oktaDomain || !gw.authorizationServerId) return undefined;
  if (!gw.backendClientId || !gw.authorizationServerAudience) return undefined;
  const credential = credentialOf(
    gw.backendClientPrivateKeyFile,
    gw.backendClientPrivateKeyId,
    gw.backendClientSecret,
  );
  if (!credential) return undefined;
  const base = /^https?:\/\//.test(gw.oktaDomain) ? gw.oktaDomain : `https://${gw.oktaDomain}`;
  const server = encodeURIComponent(gw.authorizationServerId);
  return {
    hop: 'voicebox_service',
    provider: 'okta',
    discoveryUrl: `${base.replace(/\/+$/, '')}/oauth2/${server}/.well-known/openid-configuration`,
    clientId: gw.backendClientId,
    credential,
    audience: gw.authorizationServerAudience,
    scope: gw.serviceScope ?? '',
    clientSettings:
      credential.kind === 'private_key'
        ? 'OKTA_BACKEND_CLIENT_ID and OKTA_BACKEND_CLIENT_PRIVATE_KEY_FILE (OKTA_BACKEND_CLIENT_PRIVATE_KEY_ID)'
        : 'OKTA_BACKEND_CLIENT_ID and OKTA_BACKEND_CLIENT_SECRET',
    targetSettings: 'OKTA_AUTHORIZATION_SERVER_AUDIENCE and VOICEBOX_SERVICE_SCOPE',
  };
}

function credentialOf(
  keyFile: string | undefined,
  keyId: string | undefined,
  secret: string | undefined,
): ClientCredential | undefined {
  if (keyFile) return { kind: 'private_key', keyFile, keyId };
  if (secret) return { kind: 'secret', secret };
  return undefined;
}
