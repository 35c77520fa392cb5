import { describe, expect, it } from 'vitest';
import type { VerifiedAppKey } from '../auth/identity.js';
import { VerifiedKeyCache } from './verified-key-cache.js';

const key = (keyId: string): VerifiedAppKey => ({
  keyId,
  app: {
    id: 'a',
    name: 'a',
    connectionId: null,
    database: 'db',
    model: null,
    namedGraphs: [],
    reasoning: false,
  },
});

describe('VerifiedKeyCache', () => {
  it('serves an entry for at most its TTL', () => {
    let t = 1000;
    const cache = new VerifiedKeyCache(500, () => t);
    cache.set('h1', key('k1'), null);
    t = 1499;
    expect(cache.get('h1')?.keyId).toBe('k1');
    t = 1500;
    expect(cache.get('h1')).toBeUndefined();
  });

  it('never serves a key past its own expiry', () => {
    let t = 1000;
    const cache = new VerifiedKeyCache(500, () => t);
    cache.set('h1', key('k1'), new Date(1100));
    t = 1100;
    expect(cache.get('h1')).toBeUndefined();
  });

  it('evicts every entry of a revoked key at once', () => {
    const cache = new VerifiedKeyCache(500, () => 0);
    cache.set('h1', key('k1'), null);
    cache.set('h2', key('k2'), null);
    cache.evictKey('k1');
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('h2')?.keyId).toBe('k2');
  });
});
