import { kgCancelled } from '../kg-cancelled.js';
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

/** Loads a schema; stops when `signal` aborts (every caller waiting for it has gone). */
export type SchemaLoad = (signal: AbortSignal) => Promise<GraphSchema>;

/**
 * One extraction shared by concurrent callers. It runs on its own controller, not on the signal of
 * whichever caller happened to start it: a caller who leaves abandons only its own wait, and the
 * extraction stops when no caller is left waiting for it.
 */
interface SharedLoad {
  promise: Promise<GraphSchema>;
  controller: AbortController;
  waiters: number;
}

const MAX_ENTRIES = 500;

/** Schemas by connection, dataset and credential, for a TTL; concurrent misses share one extraction. */
export class SchemaCache {
  private readonly entries = new Map<string, { schema: GraphSchema; expiresAt: number }>();
  private readonly inflight = new Map<string, SharedLoad>();

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
    load: SchemaLoad,
    opts: { refresh?: boolean; signal?: AbortSignal } = {},
  ): Promise<GraphSchema> {
    const k = SchemaCache.keyOf(key);
    const hit = this.entries.get(k);
    if (!opts.refresh && hit && hit.expiresAt > this.now()) return hit.schema;
    if (opts.signal?.aborted) throw kgCancelled();
    let shared = opts.refresh ? undefined : this.inflight.get(k);
    if (!shared) {
      shared = this.start(k, load);
      this.inflight.set(k, shared);
    }
    return this.wait(k, shared, opts.signal);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Extractions under way, for tests. */
  get loading(): number {
    return this.inflight.size;
  }

  private start(k: string, load: SchemaLoad): SharedLoad {
    const controller = new AbortController();
    const promise = load(controller.signal).then((schema) => {
      this.store(k, schema);
      return schema;
    });
    const shared: SharedLoad = { controller, waiters: 0, promise };
    const forget = () => {
      if (this.inflight.get(k) === shared) this.inflight.delete(k);
    };
    // Also handles the rejection: every waiter may have gone before it settles.
    promise.then(forget, forget);
    return shared;
  }

  private wait(k: string, shared: SharedLoad, signal?: AbortSignal): Promise<GraphSchema> {
    shared.waiters++;
    if (!signal) return shared.promise;
    return new Promise<GraphSchema>((resolve, reject) => {
      const onAbort = () => {
        reject(kgCancelled());
        if (--shared.waiters > 0) return;
        // The last waiter left: stop the extraction, and let the next caller start a fresh one
        // rather than join one that is being cancelled.
        if (this.inflight.get(k) === shared) this.inflight.delete(k);
        shared.controller.abort();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      void shared.promise
        .then(resolve, reject)
        .finally(() => signal.removeEventListener('abort', onAbort));
    });
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
