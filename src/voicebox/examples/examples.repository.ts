import { Injectable } from '@nestjs/common';
import type { Page } from '../../common/http/paged-list.js';
import { Database, type Queryable } from '../../database/database.js';
import type { ExampleInput, ExampleRecord } from './example.types.js';

interface ExampleRow {
  id: string;
  app_id: string;
  question: string;
  sparql: string;
  created_at: Date;
  updated_at: Date;
  [k: string]: unknown;
}

const COLUMNS = 'id, app_id, question, sparql, created_at, updated_at';

/** The only place that reads and writes the `example_queries` table. */
@Injectable()
export class ExamplesRepository {
  constructor(private readonly db: Database) {}

  async insert(id: string, appId: string, e: ExampleInput): Promise<ExampleRecord> {
    const { rows } = await this.db.query<ExampleRow>(
      `INSERT INTO example_queries (id, app_id, question, sparql) VALUES ($1, $2, $3, $4)
       RETURNING ${COLUMNS}`,
      [id, appId, e.question, e.sparql],
    );
    return toRecord(rows[0]);
  }

  /**
   * Inserts each example, or replaces the query of the app's example with the same question (any
   * case), all in one transaction: an import file applies whole or not at all.
   */
  async upsertAll(
    appId: string,
    examples: Array<ExampleInput & { id: string }>,
  ): Promise<ExampleRecord[]> {
    return this.db.transaction(async (tx: Queryable) => {
      const out: ExampleRecord[] = [];
      for (const e of examples) {
        const { rows } = await tx.query<ExampleRow>(
          `INSERT INTO example_queries (id, app_id, question, sparql) VALUES ($1, $2, $3, $4)
           ON CONFLICT (app_id, lower(question))
           DO UPDATE SET question = EXCLUDED.question, sparql = EXCLUDED.sparql, updated_at = now()
           RETURNING ${COLUMNS}`,
          [e.id, appId, e.question, e.sparql],
        );
        out.push(toRecord(rows[0]));
      }
      return out;
    });
  }

  async update(appId: string, id: string, e: ExampleInput): Promise<ExampleRecord | null> {
    const { rows } = await this.db.query<ExampleRow>(
      `UPDATE example_queries SET question = $3, sparql = $4, updated_at = now()
       WHERE app_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [appId, id, e.question, e.sparql],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async findById(appId: string, id: string): Promise<ExampleRecord | null> {
    const { rows } = await this.db.query<ExampleRow>(
      `SELECT ${COLUMNS} FROM example_queries WHERE app_id = $1 AND id = $2`,
      [appId, id],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Oldest first; every one of the app's examples without `page`. */
  async list(appId: string, page?: Page): Promise<ExampleRecord[]> {
    const { rows } = await this.db.query<ExampleRow>(
      `SELECT ${COLUMNS} FROM example_queries WHERE app_id = $1
       ORDER BY created_at, question, id${page ? ' LIMIT $2 OFFSET $3' : ''}`,
      page ? [appId, page.limit, page.offset] : [appId],
    );
    return rows.map(toRecord);
  }

  async count(appId: string): Promise<number> {
    const { rows } = await this.db.query<{ n: string }>(
      'SELECT count(*) AS n FROM example_queries WHERE app_id = $1',
      [appId],
    );
    return Number(rows[0].n);
  }

  async delete(appId: string, id: string): Promise<boolean> {
    const r = await this.db.query('DELETE FROM example_queries WHERE app_id = $1 AND id = $2', [
      appId,
      id,
    ]);
    return (r.rowCount ?? 0) > 0;
  }
}

function toRecord(r: ExampleRow): ExampleRecord {
  return {
    id: r.id,
    appId: r.app_id,
    question: r.question,
    sparql: r.sparql,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
