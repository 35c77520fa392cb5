import { AppKeyVerifier } from '../../../src/auth/app-key-verifier.js';
import type { VerifiedAppKey, VoiceboxAppRef } from '../../../src/auth/identity.js';

/**
 * The AppKeyVerifier port held in memory, for auth tests and the benchmark: the real one (apps module)
 * checks PostgreSQL. It keeps the port's contract: null for unknown, expired or revoked keys.
 */
export class InMemoryAppKeys extends AppKeyVerifier {
  readonly checked: string[] = [];
  private readonly keys = new Map<
    string,
    { keyId: string; app: VoiceboxAppRef; expiresAt?: number; revoked?: boolean }
  >();

  add(
    rawKey: string,
    opts: { keyId: string; appName: string; expiresAt?: number; revoked?: boolean },
  ): void {
    this.keys.set(rawKey, {
      keyId: opts.keyId,
      expiresAt: opts.expiresAt,
      revoked: opts.revoked,
      app: {
        id: `app-${opts.appName}`,
        name: opts.appName,
        connectionId: null,
        database: 'got',
        model: null,
        namedGraphs: [],
        reasoning: false,
      },
    });
  }

  verify(rawKey: string): Promise<VerifiedAppKey | null> {
    this.checked.push(rawKey.slice(0, 8));
    const key = this.keys.get(rawKey);
    if (!key || key.revoked || (key.expiresAt !== undefined && key.expiresAt <= Date.now())) {
      return Promise.resolve(null);
    }
    return Promise.resolve({ keyId: key.keyId, app: key.app });
  }
}

export const VALID_KEY = 'sdc_valid_0123456789abcdef';
export const EXPIRED_KEY = 'sdc_expired_0123456789abcdef';
export const REVOKED_KEY = 'sdc_revoked_0123456789abcdef';

export function seededAppKeys(): InMemoryAppKeys {
  const keys = new InMemoryAppKeys();
  keys.add(VALID_KEY, { keyId: 'key-1', appName: 'got' });
  keys.add(EXPIRED_KEY, { keyId: 'key-2', appName: 'got', expiresAt: Date.now() - 1000 });
  keys.add(REVOKED_KEY, { keyId: 'key-3', appName: 'got', revoked: true });
  return keys;
}

/** Replaces the apps module's PostgreSQL-backed verifier in a test app. */
export const inMemoryAppKeys = (keys: InMemoryAppKeys) => ({
  provide: AppKeyVerifier,
  useValue: keys,
});
