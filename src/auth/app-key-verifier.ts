import type { VerifiedAppKey } from './identity.js';

/**
 * Port: checks a raw app key (`sdc_…`). Implemented by the apps module against PostgreSQL; the auth
 * guard depends only on this abstract class (also its injection token), so auth never imports apps.
 * Returns null for an unknown, expired or revoked key.
 */
export abstract class AppKeyVerifier {
  abstract verify(rawKey: string): Promise<VerifiedAppKey | null>;
}
