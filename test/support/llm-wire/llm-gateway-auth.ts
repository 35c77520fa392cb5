import type { IncomingMessage } from 'node:http';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { OpenAiWireServer } from './openai-wire-server.js';

/** One call the gateway let through: the verified claims, and its own audit line. */
export interface GatewayCall {
  claims: JWTPayload;
  audit: string;
}

/**
 * Turns the loopback OpenAI-protocol server into an LLM gateway that trusts only tokens of the
 * authorization server: the bearer JWT is verified against its JWKS (signature, issuer, audience,
 * expiry) and must carry `requiredScope`; anything else is refused with 401/403 as a gateway would.
 * Each call let through writes an audit line naming the user (the token's subject).
 */
export function requireGatewayToken(
  wire: OpenAiWireServer,
  opts: { jwksUri: string; issuer: string; audience: string; requiredScope: string },
): GatewayCall[] {
  const calls: GatewayCall[] = [];
  const jwks = createRemoteJWKSet(new URL(opts.jwksUri));
  wire.authorize = async (req: IncomingMessage) => {
    const header = req.headers.authorization ?? '';
    const token = /^Bearer (.+)$/.exec(header)?.[1];
    if (!token) return { status: 401, body: { error: { message: 'missing bearer token' } } };
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, jwks, {
        issuer: opts.issuer,
        audience: opts.audience,
        algorithms: ['RS256'],
      }));
    } catch (err) {
      return {
        status: 401,
        body: { error: { message: `invalid token: ${(err as Error).message}` } },
      };
    }
    // Okta sends `scp` as an array, Entra as a space-separated string.
    const scp = claims.scp;
    const scopes = Array.isArray(scp)
      ? (scp as string[])
      : typeof scp === 'string'
        ? scp.split(' ').filter(Boolean)
        : [];
    if (!scopes.includes(opts.requiredScope)) {
      return { status: 403, body: { error: { message: 'insufficient scope' } } };
    }
    calls.push({
      claims,
      audit: `llm-gateway audit: user=${claims.sub} client=${String(claims.cid ?? claims.azp)}`,
    });
    return undefined;
  };
  return calls;
}
