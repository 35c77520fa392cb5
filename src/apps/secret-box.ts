import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DomainError } from '../common/errors/domain-error.js';

const VERSION = 'v1';

/**
 * Encrypts stored connection secrets with AES-256-GCM. The row id is the additional authenticated
 * data, so a ciphertext copied onto another connection does not decrypt there. Format:
 * `v1.<iv>.<tag>.<ciphertext>` (base64url), so a later key or algorithm can be told apart.
 */
export class SecretBox {
  constructor(
    private readonly key: Buffer | null,
    /** Why there is no key, for the error (names the variable to set). */
    private readonly missingKeyReason = 'VOICEBOX_SECRET_KEY is not set',
  ) {
    if (key && key.length !== 32) throw new Error('SecretBox key must be 32 bytes');
  }

  get canEncrypt(): boolean {
    return this.key !== null;
  }

  seal(plaintext: string, boundTo: string): string {
    const key = this.requireKey();
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(boundTo, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv, tag, ct]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  open(sealed: string, boundTo: string): string {
    const key = this.requireKey();
    const [version, iv, tag, ct] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || ct === undefined) {
      throw new DomainError('unavailable', 'secrets.unreadable', 'A stored secret is unreadable');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(boundTo, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ct, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch (err) {
      // Wrong VOICEBOX_SECRET_KEY, or a tampered row: an operator problem, not the caller's.
      throw new DomainError(
        'unavailable',
        'secrets.undecryptable',
        'A stored connection secret cannot be decrypted (is VOICEBOX_SECRET_KEY the key it was stored with?)',
        { cause: err },
      );
    }
  }

  private requireKey(): Buffer {
    if (this.key) return this.key;
    throw new DomainError(
      'unavailable',
      'secrets.no_key',
      `Connection secrets cannot be stored or read: ${this.missingKeyReason}`,
    );
  }
}
