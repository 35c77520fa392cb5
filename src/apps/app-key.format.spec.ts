import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateAppKey, hashAppKey, looksLikeAppKey } from './app-key.format.js';

describe('app key format', () => {
  it('generates sdc_ + 32 random bytes in base64url, a display prefix and its SHA-256', () => {
    const k = generateAppKey();
    expect(k.raw).toMatch(/^sdc_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(k.raw.slice(4), 'base64url')).toHaveLength(32);
    expect(k.prefix).toBe(k.raw.slice(0, 12));
    expect(k.hash.equals(createHash('sha256').update(k.raw).digest())).toBe(true);
    expect(hashAppKey(k.raw).equals(k.hash)).toBe(true);
    expect(generateAppKey().raw).not.toBe(k.raw);
  });

  it('tells well-formed keys from anything else before any lookup', () => {
    expect(looksLikeAppKey(generateAppKey().raw)).toBe(true);
    for (const bad of [
      '',
      'sdc_',
      'sdc_short',
      `sk_${'a'.repeat(43)}`,
      `sdc_${'a'.repeat(42)}!`,
      `sdc_${'a'.repeat(44)}`,
    ]) {
      expect(looksLikeAppKey(bad)).toBe(false);
    }
  });
});
