import { createHash } from 'node:crypto';
import { DomainError } from '../../common/errors/domain-error.js';
import type { KgConnection, KgRequestContext } from '../kg-connection.js';

/** `Authorization` for a plain SPARQL 1.1 endpoint; `X-SD-Auth-Token` overrides what is stored. */
export function authorizationHeader(
  connection: KgConnection,
  ctx: KgRequestContext,
): string | undefined {
  if (ctx.sdAuthToken) return `Bearer ${ctx.sdAuthToken}`;
  const c = connection.credential;
  switch (c.kind) {
    case 'basic':
      return basic(c.username, c.password);
    case 'bearer':
      return `Bearer ${c.token}`;
    case 'sso':
      throw ssoTokenMissing(connection);
    case 'none':
      return undefined;
  }
}

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

export function ssoTokenMissing(connection: KgConnection): DomainError {
  return new DomainError(
    'unauthenticated',
    'kg.sso_token_missing',
    `Connection '${connection.id}' uses single sign-on: send the user's Stardog token in the X-SD-Auth-Token header.`,
  );
}

/**
 * Who the knowledge graph sees for a request, as a one-way hash: the same for two requests only when
 * the effective credential is the same. Caches keyed on it never hand one user's results to another.
 */
export function credentialIdentity(connection: KgConnection, ctx: KgRequestContext): string {
  const c = connection.credential;
  const material = ctx.sdAuthToken
    ? `sd:${ctx.sdAuthToken}`
    : c.kind === 'basic'
      ? `basic:${c.username}:${c.password}`
      : c.kind === 'bearer'
        ? `bearer:${c.token}`
        : c.kind;
  return createHash('sha256').update(material).digest('base64url').slice(0, 22);
}
