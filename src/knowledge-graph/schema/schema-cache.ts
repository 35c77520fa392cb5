import type { GraphSchema } from './graph-schema.js';

export interface SchemaCacheKey {
  connectionId: string;
  /**
   * The address actually queried: an admin who points a connection elsewhere gets the new graph's
   * schema at once, not after the TTL.
   */
  endpoint?: string;
  database?: string;
  model?: string;
  namedGraphs: readonly string[];
  reasoning: boolean;
  /** Hash of the effective credential: a schema read with one user's token serves only that token. */
  credentialIdentity: string;
}

const MAX_ENTRIES = 500;

/** Schemas by connection, dataset and credential, for a TTL; concurrent misses share one extraction. */
export class SchemaCache {
  private readonly entries = new Map<string, { schema: GraphSchema; expiresAt: number }>();
  private readonly inflight = new Map<string, Promise<GraphSchema>>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  static keyOf(k: SchemaCacheKey): string {
    return JSON.stringify([
      k.connectionId,
      k.endpoint ?? '',
      k.database ?? '',
      k.model ?? '',
      [...k.namedGraphs].sort(),
      k.reasoning,
      k.credentialIdentity,
    ]);
  }

  async get(
    key: SchemaCacheKey,
    load: () => Promise<GraphSchema>,
    opts: { refresh?: boolean } = {},
  ): Promise<GraphSchema> {
    const k = SchemaCache.keyOf(key);
    const hit = this.entries.get(k);
    if (!opts.refresh && hit && hit.expiresAt > this.now()) return hit.schema;
    let pending = opts.refresh ? undefined : this.inflight.get(k);
    if (!pending) {
      pending = load()
        .then((schema) => {
          this.store(k, schema);
          return schema;
        })
        .finally(() => {
          if (this.inflight.get(k) === pending) this.inflight.delete(k);
        });
      this.inflight.set(k, pending);
    }
    return pending;
  }

  get size(): number {
    return this.entries.size;
  }

  private store(k: string, schema: GraphSchema): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(k);
    this.entries.set(k, { schema, expiresAt: this.now() + this.ttlMs });
    // Map keeps insertion order: the first key is the oldest.
    while (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}
