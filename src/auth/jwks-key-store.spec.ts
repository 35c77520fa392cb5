import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DomainError } from '../common/errors/domain-error.js';
import { JwksKeyStore } from './jwks-key-store.js';

const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicJwk = (kid: string) => ({
  ...rsa().publicKey.export({ format: 'jwk' }),
  kid,
  use: 'sig',
});

/** A real JWKS endpoint on loopback; `body` is what it serves, `undefined` never answers. */
async function jwksServer(body: () => unknown): Promise<{ uri: string; server: Server }> {
  const server = createServer((_req, res) => {
    const doc = body();
    if (doc !== undefined) res.writeHead(200).end(JSON.stringify(doc));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`, server };
}

const reasonOf = (err: unknown) =>
  err instanceof DomainError ? `${err.kind}:${err.code}` : String(err);

describe('JwksKeyStore (jwks-rsa fetching and parsing, our cache)', () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      s.close();
    }
  });
  const serve = async (body: () => unknown) => {
    const s = await jwksServer(body);
    servers.push(s.server);
    return s.uri;
  };

  it('parses each key once into a public KeyObject and keeps it across refetches', async () => {
    const keys = [publicJwk('a')];
    let fetches = 0;
    const uri = await serve(() => (fetches++, { keys }));
    let now = 0;
    const store = new JwksKeyStore({
      uri,
      ttlMs: 1000,
      cooldownMs: 0,
      timeoutMs: 2000,
      now: () => now,
    });
    const first = await store.keyFor({ alg: 'RS256', kid: 'a' });
    expect(first.type).toBe('public');
    expect(await store.keyFor({ alg: 'RS256', kid: 'a' })).toBe(first);
    now += 2000;
    await store.keyFor({ alg: 'RS256', kid: 'a' }); // stale: the refresh runs beside
    await expect.poll(() => fetches).toBe(2);
    expect(await store.keyFor({ alg: 'RS256', kid: 'a' })).toBe(first);
  });

  it('never uses a symmetric key or a published private key', async () => {
    const pair = rsa();
    const uri = await serve(() => ({
      keys: [
        { kty: 'oct', k: 'c2VjcmV0', kid: 'oct', alg: 'HS256' },
        { ...pair.privateKey.export({ format: 'jwk' }), kid: 'private' },
        publicJwk('good'),
      ],
    }));
    const store = new JwksKeyStore({ uri, ttlMs: 60_000, cooldownMs: 60_000, timeoutMs: 2000 });
    expect((await store.keyFor({ alg: 'RS256', kid: 'good' })).type).toBe('public');
    for (const kid of ['oct', 'private']) {
      const err: unknown = await store.keyFor({ alg: 'RS256', kid }).catch((e: unknown) => e);
      expect(reasonOf(err)).toBe('unauthenticated:auth.unknown_kid');
    }
  });

  it('answers 503 when the IdP publishes no signing key at all', async () => {
    const uri = await serve(() => ({ keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'oct' }] }));
    const store = new JwksKeyStore({ uri, ttlMs: 60_000, cooldownMs: 60_000, timeoutMs: 2000 });
    const err: unknown = await store.keyFor({ alg: 'RS256', kid: 'x' }).catch((e: unknown) => e);
    expect(reasonOf(err)).toBe('unavailable:auth.jwks_unavailable');
  });

  it('gives up on a JWKS endpoint that never answers within the fetch timeout (503)', async () => {
    const uri = await serve(() => undefined);
    const store = new JwksKeyStore({ uri, ttlMs: 60_000, cooldownMs: 60_000, timeoutMs: 200 });
    const started = Date.now();
    const err: unknown = await store.keyFor({ alg: 'RS256', kid: 'x' }).catch((e: unknown) => e);
    expect(reasonOf(err)).toBe('unavailable:auth.jwks_unavailable');
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
