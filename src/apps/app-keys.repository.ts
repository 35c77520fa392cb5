import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import type { AppKeyRecord, AppRecord } from './app.types.js';
import { APP_COLUMNS, appFromRow, type AppRow } from './apps.repository.js';
import type { Page } from '../common/http/paged-list.js';

type KeyRow = {
  id: string;
  app_id: string;
  name: string;
  prefix: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
};

const KEY_COLUMNS = 'id, app_id, name, prefix, created_at, expires_at, revoked_at, last_used_at';

/** The only place that reads and writes the `app_keys` table. */
@Injectable()
export class AppKeysRepository {
  constructor(private readonly db: Database) {}

  async insert(k: {
    id: string;
    appId: string;
    name: string;
    prefix: string;
    hash: Buffer;
    expiresAt: Date | null;
  }): Promise<AppKeyRecord> {
    const { rows } = await this.db.query<KeyRow>(
      `INSERT INTO app_keys (id, app_id, name, prefix, key_hash, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${KEY_COLUMNS}`,
      [k.id, k.appId, k.name, k.prefix, k.hash, k.expiresAt],
    );
    return keyFromRow(rows[0]);
  }

  async listForApp(appId: string, page?: Page): Promise<AppKeyRecord[]> {
    const { rows } = await this.db.query<KeyRow>(
      `SELECT ${KEY_COLUMNS} FROM app_keys WHERE app_id = $1 ORDER BY created_at, id${page ? ' LIMIT $2 OFFSET $3' : ''}`,
      page ? [appId, page.limit, page.offset] : [appId],
    );
    return rows.map(keyFromRow);
  }

  async countForApp(appId: string): Promise<number> {
    const { rows } = await this.db.query<{ n: string }>(
      'SELECT count(*) AS n FROM app_keys WHERE app_id = $1',
      [appId],
    );
    return Number(rows[0].n);
  }

  /** Marks the key revoked (kept for the record); false when the app has no such key. */
  async revoke(appId: string, keyId: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE app_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 AND app_id = $2`,
      [keyId, appId],
    );
    return (rowCount ?? 0) > 0;
  }

  /**
   * The usable key with this hash and its app, in one indexed lookup; null when unknown, revoked or
   * expired. The database clock decides expiry, so every replica agrees.
   */
  async findUsable(hash: Buffer): Promise<{
    keyId: string;
    lastUsedAt: Date | null;
    expiresAt: Date | null;
    now: Date;
    app: AppRecord;
  } | null> {
    const { rows } = await this.db.query<
      AppRow & { key_id: string; last_used_at: Date | null; expires_at: Date | null; now: Date }
    >(
      `SELECT k.id AS key_id, k.last_used_at, k.expires_at, now() AS now, ${APP_COLUMNS.split(', ')
        .map((c) => `a.${c}`)
        .join(', ')}
       FROM app_keys k JOIN apps a ON a.id = k.app_id
       WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())`,
      [hash],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      keyId: r.key_id,
      lastUsedAt: r.last_used_at,
      expiresAt: r.expires_at,
      now: r.now,
      app: appFromRow(r),
    };
  }

  /** Records use, at most once a minute per key: the WHERE makes concurrent replicas write once. */
  async touch(keyId: string): Promise<void> {
    await this.db.query(
      `UPDATE app_keys SET last_used_at = now()
       WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [keyId],
    );
  }
}

function keyFromRow(r: KeyRow): AppKeyRecord {
  return {
    id: r.id,
    appId: r.app_id,
    name: r.name,
    prefix: r.prefix,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
  };
}
