import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../common/errors/domain-error.js';
import { SecretBox } from './secret-box.js';

describe('SecretBox (AES-256-GCM for stored connection secrets)', () => {
  const box = new SecretBox(randomBytes(32));
  const id = '0b7e3c4e-8f0a-4c55-9d8e-2f4c1a7b9e10';

  it('round-trips a secret, with a fresh IV each time', () => {
    const a = box.seal('s3cret-pässword', id);
    const b = box.seal('s3cret-pässword', id);
    expect(a).not.toBe(b);
    expect(a).not.toContain('s3cret');
    expect(box.open(a, id)).toBe('s3cret-pässword');
  });

  it('refuses a ciphertext moved to another row, tampered with, or opened under another key', () => {
    const sealed = box.seal('secret', id);
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e;
      }
      return null;
    };
    expect(err(() => box.open(sealed, 'another-id'))).toMatchObject({
      code: 'secrets.undecryptable',
    });
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3], 'base64url');
    flipped[0] ^= 1;
    parts[3] = flipped.toString('base64url');
    expect(err(() => box.open(parts.join('.'), id))).toMatchObject({
      code: 'secrets.undecryptable',
    });
    expect(err(() => new SecretBox(randomBytes(32)).open(sealed, id))).toBeInstanceOf(DomainError);
    expect(err(() => box.open('garbage', id))).toMatchObject({ code: 'secrets.unreadable' });
  });

  it('without a key, refuses to seal, naming the variable to set', () => {
    const none = new SecretBox(
      null,
      'VOICEBOX_SECRET_KEY is required with an external DATABASE_URL',
    );
    expect(none.canEncrypt).toBe(false);
    expect(() => none.seal('x', id)).toThrow(/VOICEBOX_SECRET_KEY/);
  });
});
