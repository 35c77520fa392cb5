import { describe, expect, it } from 'vitest';
import { TokenExchangeCache, jwtExpiryOf } from './token-exchange-cache.js';

const T0 = 1_000_000_000_000;

function cache(opts: Partial<{ maxEntries: number; ttlMs: number; expiryBufferMs: number }> = {}) {
  let now = T0;
  const c = new TokenExchangeCache(
    { maxEntries: 100, ttlMs: 3_600_000, expiryBufferMs: 300_000, ...opts },
    () => now,
  );
  let exchanges = 0;
  const get = (key: string, lifeMs = 3_600_000, subjectExpiresAt?: number) =>
    c.get(key, subjectExpiresAt, () => {
      exchanges++;
      return Promise.resolve({ accessToken: `${key}#${exchanges}`, expiresAt: now + lifeMs });
    });
  return {
    c,
    get,
    advance: (ms: number) => (now += ms),
    exchanges: () => exchanges,
  };
}

describe('TokenExchangeCache', () => {
  it('keys by a hash of subject token, audience and scope, never the token itself', () => {
    const k = TokenExchangeCache.keyOf('eyJ.subject.token', 'api://llm', 'llm.invoke');
    expect(k).not.toContain('subject');
    expect(k).not.toBe(TokenExchangeCache.keyOf('eyJ.subject.token', 'api://llm', 'llm.admin'));
    expect(k).not.toBe(TokenExchangeCache.keyOf('eyJ.subject.token', 'api://other', 'llm.invoke'));
  });

  it('serves an entry until the expiry buffer before the exchanged token expires', async () => {
    const t = cache({ expiryBufferMs: 300_000 });
    expect(await t.get('a', 1_000_000)).toEqual({ token: 'a#1', source: 'miss' });
    t.advance(699_999);
    expect(await t.get('a', 1_000_000)).toEqual({ token: 'a#1', source: 'hit' });
    t.advance(1);
    expect(await t.get('a', 1_000_000)).toEqual({ token: 'a#2', source: 'miss' });
  });

  it('keeps an entry at most the TTL', async () => {
    const t = cache({ ttlMs: 60_000, expiryBufferMs: 0 });
    await t.get('a');
    t.advance(59_999);
    expect((await t.get('a')).source).toBe('hit');
    t.advance(1);
    expect((await t.get('a')).source).toBe('miss');
  });

  it("never keeps an entry past the subject token's own expiry", async () => {
    const t = cache();
    await t.get('a', 3_600_000, T0 + 10_000);
    t.advance(9_999);
    expect((await t.get('a', 3_600_000, T0 + 10_000)).source).toBe('hit');
    t.advance(1);
    expect((await t.get('a', 3_600_000, T0 + 10_000)).source).toBe('miss');
  });

  it('does not store a token shorter-lived than the buffer (but still returns it)', async () => {
    const t = cache({ expiryBufferMs: 300_000 });
    expect((await t.get('a', 200_000)).token).toBe('a#1');
    expect((await t.get('a', 200_000)).source).toBe('miss');
    expect(t.c.size).toBe(0);
  });

  it('is bounded, dropping the least recently used entry first', async () => {
    const t = cache({ maxEntries: 2 });
    await t.get('a');
    await t.get('b');
    await t.get('a'); // a is now the most recently used
    await t.get('c');
    expect(t.c.size).toBe(2);
    expect((await t.get('a')).source).toBe('hit');
    expect((await t.get('b')).source).toBe('miss');
  });

  it('shares one exchange among concurrent requests, and does not cache a failure', async () => {
    const t = cache();
    const results = await Promise.all(Array.from({ length: 50 }, () => t.get('a')));
    expect(t.exchanges()).toBe(1);
    expect(results.filter((r) => r.source === 'miss')).toHaveLength(1);
    expect(results.filter((r) => r.source === 'joined')).toHaveLength(49);

    let calls = 0;
    const failing = () => {
      calls++;
      return Promise.reject(new Error('down'));
    };
    const both = await Promise.allSettled([
      t.c.get('b', undefined, failing),
      t.c.get('b', undefined, failing),
    ]);
    expect(both.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
    await expect(t.c.get('b', undefined, failing)).rejects.toThrow('down');
    expect(calls).toBe(2);
  });
});

describe('jwtExpiryOf', () => {
  it('reads exp of a JWT in milliseconds, and nothing from an opaque token', () => {
    const payload = Buffer.from(JSON.stringify({ exp: 1_700_000_000 })).toString('base64url');
    expect(jwtExpiryOf(`eyJhbGciOiJSUzI1NiJ9.${payload}.sig`)).toBe(1_700_000_000_000);
    expect(jwtExpiryOf('opaque-token')).toBeUndefined();
    expect(jwtExpiryOf('a.!!!.c')).toBeUndefined();
  });
});
