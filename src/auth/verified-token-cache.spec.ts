import { describe, expect, it } from 'vitest';
import { VerifiedTokenCache } from './verified-token-cache.js';

describe('VerifiedTokenCache', () => {
  it('never keeps an entry past the token exp', () => {
    let now = 1_000_000;
    const cache = new VerifiedTokenCache<string>(10, 60_000, () => now);
    cache.set('t', 'v', (now + 5_000) / 1000);
    expect(cache.get('t')).toBe('v');
    now += 5_000;
    expect(cache.get('t')).toBeUndefined();
  });

  it('caps an entry at maxAge even when exp is far away', () => {
    let now = 1_000_000;
    const cache = new VerifiedTokenCache<string>(10, 60_000, () => now);
    cache.set('t', 'v', now / 1000 + 3600);
    now += 59_999;
    expect(cache.get('t')).toBe('v');
    now += 1;
    expect(cache.get('t')).toBeUndefined();
  });

  it('does not store an already expired token, and stays bounded', () => {
    const now = 1_000_000;
    const cache = new VerifiedTokenCache<number>(3, 60_000, () => now);
    cache.set('old', 1, now / 1000 - 1);
    expect(cache.size).toBe(0);
    for (let i = 0; i < 10; i++) cache.set(`t${i}`, i, now / 1000 + 60);
    expect(cache.size).toBe(3);
    expect(cache.get('t0')).toBeUndefined();
    expect(cache.get('t9')).toBe(9);
  });

  it('answers only for the very token it verified, not another with the same ending', () => {
    const now = 1_000_000;
    const cache = new VerifiedTokenCache<string>(10, 60_000, () => now);
    const signature = 'S'.repeat(64);
    const real = `eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.${signature}`;
    const forged = `eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0.${signature}`;
    cache.set(real, 'alice', now / 1000 + 60);
    expect(cache.get(forged)).toBeUndefined();
    expect(cache.get(real)).toBe('alice');
    // The forged one verified (in another world) displaces the entry; it never answers for `real`.
    cache.set(forged, 'mallory', now / 1000 + 60);
    expect(cache.get(real)).toBeUndefined();
    expect(cache.get(forged)).toBe('mallory');
  });
});
