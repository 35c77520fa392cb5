import { createHash, randomBytes } from 'node:crypto';

export const APP_KEY_PREFIX = 'sdc_';
/** 32 random bytes → 43 base64url characters. */
const APP_KEY = /^sdc_[A-Za-z0-9_-]{43}$/;
/** Shown in lists to tell keys apart: "sdc_" and 8 characters (48 of the 256 random bits). */
const DISPLAY_PREFIX_LENGTH = APP_KEY_PREFIX.length + 8;

export interface NewAppKey {
  raw: string;
  hash: Buffer;
  prefix: string;
}

export function generateAppKey(): NewAppKey {
  const raw = APP_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { raw, hash: hashAppKey(raw), prefix: raw.slice(0, DISPLAY_PREFIX_LENGTH) };
}

export function looksLikeAppKey(raw: string): boolean {
  return APP_KEY.test(raw);
}

/**
 * SHA-256, unsalted, on purpose. Slow salted hashes (bcrypt, scrypt, argon2) exist to make guessing
 * low-entropy passwords expensive; an app key carries 256 random bits, so no guess list can find it
 * and a fast hash is as safe. A fast, deterministic hash is also what lets every request find its key
 * with one indexed lookup (a salted hash would need the row before hashing), within the latency budget.
 */
export function hashAppKey(raw: string): Buffer {
  return createHash('sha256').update(raw, 'utf8').digest();
}
