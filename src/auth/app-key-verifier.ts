import type { VerifiedAppKey } from './identity.js';

/**
 * Port: checks a raw app key (`sdc_…`). Implemented by the apps module against PostgreSQL; the auth
 * guard depends only on this abstract class (also its injection token), so auth never imports apps.
 * Returns null for an unknown, expired or revoked key.
 */
export abstract class AppKeyVerifier {
  abstract verify(rawKey: string): Promise<VerifiedAppKey | null>;

  /**
   * The key's verification if it is at hand without waiting (a fresh cache entry), else undefined.
   * Lets the guard pass a busy key without a promise; an implementation without a cache keeps this.
   */
  verifiedNow(_rawKey: string): VerifiedAppKey | undefined {
    return undefined;
  }
}
