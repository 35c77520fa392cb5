import { describe, expect, it } from 'vitest';
import { StardogTokenCache, jwtExp } from './stardog-token-cache.js';

const jwt = (claims: object) =>
  `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe('StardogTokenCache', () => {
  it('reads exp from a JWT payload, and nothing from garbage', () => {
    expect(jwtExp(jwt({ exp: 1234 }))).toBe(1234);
    expect(jwtExp('not-a-jwt')).toBeUndefined();
    expect(jwtExp('a.!!!.c')).toBeUndefined();
  });

  it('keeps a token until 30 s before its exp, then issues a new one', async () => {
    let now = 1_000_000;
    const cache = new StardogTokenCache(() => now);
    let issued = 0;
    const issue = () => Promise.resolve(jwt({ exp: 1_000 + 120, n: ++issued }));
    const key = cache.key('http://sd', 'u', 'p');
    const a = await cache.get(key, issue);
    now += 80_000;
    expect(await cache.get(key, issue)).toBe(a);
    now += 11_000; // 29 s before exp
    expect(await cache.get(key, issue)).not.toBe(a);
    expect(issued).toBe(2);
  });

  it('shares one issuance between concurrent callers and forgets a refused token', async () => {
    const cache = new StardogTokenCache();
    let issued = 0;
    const issue = async () => {
      await new Promise((r) => setTimeout(r, 10));
      return jwt({ exp: Math.floor(Date.now() / 1000) + 3600, n: ++issued });
    };
    const key = cache.key('http://sd', 'u', 'p');
    const [a, b] = await Promise.all([cache.get(key, issue), cache.get(key, issue)]);
    expect(a).toBe(b);
    expect(issued).toBe(1);
    cache.invalidate(key, a);
    expect(await cache.get(key, issue)).not.toBe(a);
  });

  it('keys by endpoint, user and password without holding the password', () => {
    const cache = new StardogTokenCache();
    const k = cache.key('http://sd', 'u', 'hunter2');
    expect(k).not.toContain('hunter2');
    expect(k).not.toBe(cache.key('http://sd', 'u', 'other'));
    expect(k).not.toBe(cache.key('http://sd2', 'u', 'hunter2'));
  });
});
