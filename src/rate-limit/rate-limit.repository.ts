import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';

export interface WindowCount {
  bucket: string;
  hits: number;
  /** Seconds until the current window ends (at least 1). */
  resetInSeconds: number;
}

/**
 * Fixed-window counters in PostgreSQL. The window is cut on the database's clock, so every replica
 * counts into the same row whatever its own clock says; one statement counts all of a request's
 * buckets.
 */
@Injectable()
export class RateLimitRepository {
  constructor(private readonly db: Database) {}

  async hit(buckets: readonly string[], windowSeconds: number): Promise<WindowCount[]> {
    const { rows } = await this.db.query<{ bucket: string; hits: number; reset_in: number }>(
      `INSERT INTO rate_limit_windows AS w (bucket, window_start, hits)
       SELECT b, to_timestamp(floor(extract(epoch FROM now()) / $2) * $2), 1
       FROM unnest($1::text[]) AS b
       ON CONFLICT (bucket, window_start) DO UPDATE SET hits = w.hits + 1
       RETURNING w.bucket, w.hits,
         greatest(1, ceil(extract(epoch FROM w.window_start + make_interval(secs => $2) - now())))::int
           AS reset_in`,
      [buckets, windowSeconds],
    );
    return rows.map((r) => ({ bucket: r.bucket, hits: r.hits, resetInSeconds: r.reset_in }));
  }

  /** Windows that ended before the previous one: nothing reads them again. */
  async purge(windowSeconds: number): Promise<number> {
    const { rowCount } = await this.db.query(
      `DELETE FROM rate_limit_windows WHERE window_start < now() - make_interval(secs => $1)`,
      [2 * windowSeconds],
    );
    return rowCount ?? 0;
  }
}
