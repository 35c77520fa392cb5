import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppKeyVerifier } from '../auth/app-key-verifier.js';
import type { VerifiedAppKey } from '../auth/identity.js';
import { DomainError, RequestValidationError } from '../common/errors/domain-error.js';
import { InjectLogger } from '../observability/root-logger.js';
import { generateAppKey, hashAppKey, looksLikeAppKey } from './app-key.format.js';
import type { AppKeyRecord } from './app.types.js';
import { AppKeysRepository } from './app-keys.repository.js';
import { AppsService } from './apps.service.js';
import { isUuid } from './uuid.js';
import { VerifiedKeyCache, type KeyLookup } from './verified-key-cache.js';
import type { Page } from '../common/http/paged-list.js';

const TOUCH_INTERVAL_MS = 60_000;

export interface IssuedAppKey {
  key: AppKeyRecord;
  /** The key itself: shown once, never stored. */
  raw: string;
}

/**
 * Issues, lists, revokes and verifies app keys. Verification is one indexed lookup, its success
 * kept for at most half a second (VerifiedKeyCache), so a revocation holds within a second on every
 * replica sharing the database and at once on the replica that revoked.
 */
@Injectable()
export class AppKeysService extends AppKeyVerifier {
  constructor(
    private readonly verified: VerifiedKeyCache,
    private readonly keys: AppKeysRepository,
    private readonly apps: AppsService,
    @InjectLogger() private readonly logger: Logger,
  ) {
    super();
  }

  async issue(appId: string, name: string, expiresAt: Date | null): Promise<IssuedAppKey> {
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      throw new RequestValidationError([{ field: 'expires_at', reason: 'must be in the future' }]);
    }
    const app = await this.apps.get(appId);
    const generated = generateAppKey();
    const key = await this.keys.insert({
      id: randomUUID(),
      appId: app.id,
      name,
      prefix: generated.prefix,
      hash: generated.hash,
      expiresAt,
    });
    this.logger.info({ app_id: app.id, key_id: key.id, prefix: key.prefix }, 'app key issued');
    return { key, raw: generated.raw };
  }

  async list(appId: string): Promise<AppKeyRecord[]> {
    const app = await this.apps.get(appId);
    return this.keys.listForApp(app.id);
  }

  async listPage(appId: string, page: Page): Promise<{ items: AppKeyRecord[]; total: number }> {
    const app = await this.apps.get(appId);
    const [items, total] = await Promise.all([
      this.keys.listForApp(app.id, page),
      this.keys.countForApp(app.id),
    ]);
    return { items, total };
  }

  async revoke(appId: string, keyId: string): Promise<void> {
    const app = await this.apps.get(appId);
    if (!isUuid(keyId) || !(await this.keys.revoke(app.id, keyId))) {
      throw new DomainError('not_found', 'app_key.not_found', `App ${appId} has no key ${keyId}`);
    }
    this.verified.evictKey(keyId);
    this.logger.info({ app_id: app.id, key_id: keyId }, 'app key revoked');
  }

  override verifiedNow(rawKey: string): VerifiedAppKey | undefined {
    return this.verified.get(rawKey);
  }

  override verify(rawKey: string): Promise<VerifiedAppKey | null> {
    // Malformed keys never reach the cache or the database.
    if (!looksLikeAppKey(rawKey)) return Promise.resolve(null);
    return this.verified.lookup(rawKey, () => this.lookUp(rawKey));
  }

  /** A cache miss: hash the key once and find it in the database. */
  private async lookUp(rawKey: string): Promise<KeyLookup | null> {
    const found = await this.keys.findUsable(hashAppKey(rawKey));
    if (!found) return null;
    const { app } = found;
    if (
      !found.lastUsedAt ||
      found.now.getTime() - found.lastUsedAt.getTime() >= TOUCH_INTERVAL_MS
    ) {
      await this.keys.touch(found.keyId);
    }
    return {
      value: {
        keyId: found.keyId,
        app: {
          id: app.id,
          name: app.name,
          connectionId: app.connectionId,
          database: app.database,
          model: app.model,
          namedGraphs: app.namedGraphs,
          reasoning: app.reasoning,
        },
      },
      expiresAt: found.expiresAt,
    };
  }
}
