import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import type { AppRecord, AppWrite } from './app.types.js';
import type { Page } from '../common/http/paged-list.js';

export type AppRow = {
  id: string;
  name: string;
  connection_id: string | null;
  database: string;
  model: string | null;
  named_graphs: string[];
  reasoning: boolean;
  created_at: Date;
  updated_at: Date;
};

export const APP_COLUMNS =
  'id, name, connection_id, database, model, named_graphs, reasoning, created_at, updated_at';

/** The only place that reads and writes the `apps` table. */
@Injectable()
export class AppsRepository {
  constructor(private readonly db: Database) {}

  async insert(a: AppWrite): Promise<AppRecord> {
    const { rows } = await this.db.query<AppRow>(
      `INSERT INTO apps (id, name, connection_id, database, model, named_graphs, reasoning)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${APP_COLUMNS}`,
      [a.id, a.name, a.connectionId, a.database, a.model, a.namedGraphs, a.reasoning],
    );
    return appFromRow(rows[0]);
  }

  async update(a: AppWrite): Promise<AppRecord | null> {
    const { rows } = await this.db.query<AppRow>(
      `UPDATE apps SET name = $2, connection_id = $3, database = $4, model = $5, named_graphs = $6,
         reasoning = $7, updated_at = now()
       WHERE id = $1 RETURNING ${APP_COLUMNS}`,
      [a.id, a.name, a.connectionId, a.database, a.model, a.namedGraphs, a.reasoning],
    );
    return rows[0] ? appFromRow(rows[0]) : null;
  }

  async findById(id: string): Promise<AppRecord | null> {
    const { rows } = await this.db.query<AppRow>(`SELECT ${APP_COLUMNS} FROM apps WHERE id = $1`, [
      id,
    ]);
    return rows[0] ? appFromRow(rows[0]) : null;
  }

  async findByName(name: string): Promise<AppRecord | null> {
    const { rows } = await this.db.query<AppRow>(
      `SELECT ${APP_COLUMNS} FROM apps WHERE name = $1`,
      [name],
    );
    return rows[0] ? appFromRow(rows[0]) : null;
  }

  async list(page?: Page): Promise<AppRecord[]> {
    const { rows } = await this.db.query<AppRow>(
      `SELECT ${APP_COLUMNS} FROM apps ORDER BY created_at, name, id${page ? ' LIMIT $1 OFFSET $2' : ''}`,
      page ? [page.limit, page.offset] : [],
    );
    return rows.map(appFromRow);
  }

  async count(): Promise<number> {
    const { rows } = await this.db.query<{ n: string }>('SELECT count(*) AS n FROM apps');
    return Number(rows[0].n);
  }

  /** Deletes the app and, by cascade, its keys. */
  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.db.query('DELETE FROM apps WHERE id = $1', [id]);
    return (rowCount ?? 0) > 0;
  }
}

export function appFromRow(r: AppRow): AppRecord {
  return {
    id: r.id,
    name: r.name,
    connectionId: r.connection_id,
    database: r.database,
    model: r.model,
    namedGraphs: r.named_graphs,
    reasoning: r.reasoning,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
