import { describe, expect, it } from 'vitest';
import type { VerifiedAppKey } from '../auth/identity.js';
import { VerifiedKeyCache, type KeyLookup } from './verified-key-cache.js';

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

/** A loader that counts its calls and answers when told to. */
function loader(answer: (keyId: string) => KeyLookup | null) {
  const calls: string[] = [];
  const waiting: Array<() => void> = [];
  return {
    calls,
    release: () => waiting.splice(0).forEach((go) => go()),
    for:
      (raw: string, opts: { hold?: boolean } = {}) =>
      () => {
        calls.push(raw);
        const answered = Promise.resolve(answer(raw));
        if (!opts.hold) return answered;
        return new Promise<void>((go) => waiting.push(go)).then(() => answered);
      },
  };
}

const found = (keyId: string, expiresAt: Date | null = null): KeyLookup => ({
  value: key(keyId),
  expiresAt,
});

describe('VerifiedKeyCache', () => {
  it('serves an entry for at most its TTL, counted from when the lookup started', async () => {
    let t = 1000;
    const cache = new VerifiedKeyCache(500, () => t);
    const l = loader((raw) => found(raw));
    const pending = cache.lookup('sdc_1', l.for('sdc_1'));
    t = 1100; // the query took 100 ms
    expect((await pending)?.keyId).toBe('sdc_1');
    t = 1499;
    expect((await cache.lookup('sdc_1', l.for('sdc_1')))?.keyId).toBe('sdc_1');
    expect(l.calls).toHaveLength(1);
    t = 1500;
    expect(cache.get('sdc_1')).toBeUndefined();
    await cache.lookup('sdc_1', l.for('sdc_1'));
    expect(l.calls).toHaveLength(2);
  });

  it('never serves a key past its own expiry', async () => {
    let t = 1000;
    const cache = new VerifiedKeyCache(500, () => t);
    await cache.lookup('sdc_1', () => Promise.resolve(found('k1', new Date(1100))));
    t = 1100;
    expect(cache.get('sdc_1')).toBeUndefined();
  });

  it('sends one lookup for every caller that misses while it runs', async () => {
    const cache = new VerifiedKeyCache(500, () => 0);
    const l = loader((raw) => found(raw));
    const all = Array.from({ length: 50 }, () =>
      cache.lookup('sdc_1', l.for('sdc_1', { hold: true })),
    );
    await Promise.resolve();
    l.release();
    const results = await Promise.all(all);
    expect(l.calls).toHaveLength(1);
    expect(results.every((r) => r?.keyId === 'sdc_1')).toBe(true);
  });

  it('keeps no unknown key, and shares a failing lookup without keeping it', async () => {
    const cache = new VerifiedKeyCache(500, () => 0);
    const l = loader(() => null);
    expect(await cache.lookup('sdc_x', l.for('sdc_x'))).toBeNull();
    expect(await cache.lookup('sdc_x', l.for('sdc_x'))).toBeNull();
    expect(l.calls).toHaveLength(2);
    const failing = () => Promise.reject(new Error('database down'));
    const both = [cache.lookup('sdc_y', failing), cache.lookup('sdc_y', failing)];
    for (const p of both) await expect(p).rejects.toThrow('database down');
    expect(cache.get('sdc_y')).toBeUndefined();
  });

  it('evicts every entry of a revoked key at once, and drops a lookup in flight during it', async () => {
    const cache = new VerifiedKeyCache(500, () => 0);
    await cache.lookup('sdc_1', () => Promise.resolve(found('k1')));
    await cache.lookup('sdc_2', () => Promise.resolve(found('k2')));
    cache.evictKey('k1');
    expect(cache.get('sdc_1')).toBeUndefined();
    expect(cache.get('sdc_2')?.keyId).toBe('k2');

    const l = loader((raw) => found(raw));
    const pending = cache.lookup('sdc_3', l.for('sdc_3', { hold: true }));
    await Promise.resolve();
    cache.evictKey('k3');
    l.release();
    await pending;
    expect(cache.get('sdc_3')).toBeUndefined();
  });
});
