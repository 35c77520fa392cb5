import { Injectable } from '@nestjs/common';
import { Database, type Queryable } from '../database/database.js';
import type { ConnectionKind, ConnectionRecord, CredentialKind } from './connection.types.js';
import type { Page } from '../common/http/paged-list.js';

interface ConnectionRow {
  id: string;
  name: string;
  kind: ConnectionKind;
  endpoint: string | null;
  internal_endpoint: string | null;
  credential_kind: CredentialKind;
  username: string | null;
  secret_encrypted: string | null;
  created_at: Date;
  updated_at: Date;
  [k: string]: unknown;
}

export type ConnectionWrite = Omit<ConnectionRecord, 'createdAt' | 'updatedAt'>;

const COLUMNS =
  'id, name, kind, endpoint, internal_endpoint, credential_kind, username, secret_encrypted, created_at, updated_at';

/** The only place that reads and writes the `connections` table. */
@Injectable()
export class ConnectionsRepository {
  constructor(private readonly db: Database) {}

  async insert(c: ConnectionWrite): Promise<ConnectionRecord> {
    const { rows } = await this.db.query<ConnectionRow>(
      `INSERT INTO connections (id, name, kind, endpoint, internal_endpoint, credential_kind, username, secret_encrypted)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
      writeParams(c),
    );
    return toRecord(rows[0]);
  }

  async update(c: ConnectionWrite, tx: Queryable = this.db): Promise<ConnectionRecord | null> {
    const { rows } = await tx.query<ConnectionRow>(
      `UPDATE connections SET name = $2, kind = $3, endpoint = $4, internal_endpoint = $5,
         credential_kind = $6, username = $7, secret_encrypted = $8, updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      writeParams(c),
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async findById(id: string, tx: Queryable = this.db): Promise<ConnectionRecord | null> {
    const { rows } = await tx.query<ConnectionRow>(
      `SELECT ${COLUMNS} FROM connections WHERE id = $1`,
      [id],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async findByName(name: string): Promise<ConnectionRecord | null> {
    const { rows } = await this.db.query<ConnectionRow>(
      `SELECT ${COLUMNS} FROM connections WHERE name = $1`,
      [name],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async list(page?: Page): Promise<ConnectionRecord[]> {
    const { rows } = await this.db.query<ConnectionRow>(
      `SELECT ${COLUMNS} FROM connections ORDER BY created_at, name, id${page ? ' LIMIT $1 OFFSET $2' : ''}`,
      page ? [page.limit, page.offset] : [],
    );
    return rows.map(toRecord);
  }

  async count(): Promise<number> {
    const { rows } = await this.db.query<{ n: string }>('SELECT count(*) AS n FROM connections');
    return Number(rows[0].n);
  }

  /** Deletes unless an app uses it; returns the names of the apps that do (then nothing is deleted). */
  async deleteUnlessUsed(id: string): Promise<{ deleted: boolean; usedBy: string[] }> {
    return this.db.transaction(async (tx) => {
      // Lock the row so that no app can start using it between the check and the delete.
      const locked = await tx.query('SELECT id FROM connections WHERE id = $1 FOR UPDATE', [id]);
      if (locked.rowCount === 0) return { deleted: false, usedBy: [] };
      const { rows } = await tx.query<{ name: string }>(
        'SELECT name FROM apps WHERE connection_id = $1 ORDER BY name',
        [id],
      );
      if (rows.length > 0) return { deleted: false, usedBy: rows.map((r) => r.name) };
      await tx.query('DELETE FROM connections WHERE id = $1', [id]);
      return { deleted: true, usedBy: [] };
    });
  }
}

/** $1…$8 of both INSERT and UPDATE, in column order. */
function writeParams(c: ConnectionWrite): unknown[] {
  return [
    c.id,
    c.name,
    c.kind,
    c.endpoint,
    c.internalEndpoint,
    c.credentialKind,
    c.username,
    c.secretEncrypted,
  ];
}

function toRecord(r: ConnectionRow): ConnectionRecord {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    endpoint: r.endpoint,
    internalEndpoint: r.internal_endpoint,
    credentialKind: r.credential_kind,
    username: r.username,
    secretEncrypted: r.secret_encrypted,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
