import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { DomainError } from '../../common/errors/domain-error.js';
import type { QueryForm } from '../sparql-read-only-gate.js';
import { timeoutError } from '../stores/sparql-http.js';
import {
  SparqlStore,
  type SparqlBinding,
  type StoreQuery,
  type StoreResult,
} from '../stores/sparql-store.js';
import { EMBEDDED_WORKER_SOURCE } from './embedded-worker-source.js';
import type { RdfSource } from './embedded-sources.js';

export interface EmbeddedStoreOptions {
  sources: RdfSource[];
  /** Folder of the N-Quads snapshot (oxigraph's JS binding has no on-disk storage of its own). */
  snapshotDir?: string;
}

export interface EmbeddedStoreStatus {
  triples: number;
  loadMs: number;
  from: 'files' | 'snapshot';
}

interface Pending {
  msg: { type: 'query'; id: number; sparql: string; form: QueryForm; namedGraphs: string[] };
  resolve: (text: string) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

type WorkerMessage =
  | { type: 'ready'; size: number; ms: number; from: 'files' | 'snapshot' }
  | { type: 'fatal'; message: string }
  | { type: 'result'; id: number; text: string }
  | { type: 'error'; id: number; message: string };

/**
 * The in-process SPARQL store (oxigraph in a worker thread). A query past its deadline terminates the
 * worker — the only way to stop synchronous WASM — and the store is opened again (about 0.4 s for
 * CK25); queries waiting behind it are sent again to the new worker.
 */
export class EmbeddedStore extends SparqlStore {
  readonly kind = 'embedded' as const;
  private worker?: Worker;
  private ready?: Promise<EmbeddedStoreStatus>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Until the worker reports ready, queries wait in `pending` and are posted on 'ready'. */
  private workerReady = false;
  private closed = false;
  status?: EmbeddedStoreStatus;

  constructor(
    private readonly options: EmbeddedStoreOptions,
    private readonly log: Logger,
  ) {
    super();
  }

  /** Opens the store; resolves when loaded. Safe to call again. */
  start(): Promise<EmbeddedStoreStatus> {
    this.ready ??= this.spawn();
    return this.ready;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(unavailable('the service is shutting down'));
    }
    this.pending.clear();
    await this.worker?.terminate();
  }

  async execute(q: StoreQuery): Promise<StoreResult> {
    await this.start();
    const text = await this.send(q);
    if (q.form === 'CONSTRUCT' || q.form === 'DESCRIBE') {
      return { kind: 'graph', text, contentType: 'application/n-triples' };
    }
    const json = JSON.parse(text) as {
      boolean?: boolean;
      head: { vars?: string[] };
      results?: { bindings: SparqlBinding[] };
    };
    if (q.form === 'ASK') return { kind: 'boolean', value: json.boolean === true };
    return { kind: 'bindings', vars: json.head.vars ?? [], bindings: json.results?.bindings ?? [] };
  }

  private send(q: StoreQuery): Promise<string> {
    if (this.closed) return Promise.reject(unavailable('the service is shutting down'));
    if (q.ctx.signal?.aborted) {
      return Promise.reject(
        new DomainError('unavailable', 'kg.cancelled', 'The request was cancelled.'),
      );
    }
    const id = this.nextId++;
    const msg = {
      type: 'query' as const,
      id,
      sparql: q.sparql,
      form: q.form,
      namedGraphs: q.target.namedGraphs,
    };
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(timeoutError(q.target.connection, q.timeoutMs));
        this.log.warn(
          { timeoutMs: q.timeoutMs },
          'embedded query past its deadline: restarting the store',
        );
        this.restart();
      }, q.timeoutMs);
      const done = (fn: () => void) => {
        clearTimeout(timer);
        q.ctx.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const onAbort = () => {
        this.pending.delete(id);
        done(() =>
          reject(new DomainError('unavailable', 'kg.cancelled', 'The request was cancelled.')),
        );
      };
      q.ctx.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        msg,
        timer,
        resolve: (t) => done(() => resolve(t)),
        reject: (e) => done(() => reject(e)),
      });
      if (this.workerReady) this.worker?.postMessage(msg);
    });
  }

  private spawn(): Promise<EmbeddedStoreStatus> {
    const oxigraphPath = createRequire(import.meta.url).resolve('oxigraph');
    const worker = new Worker(EMBEDDED_WORKER_SOURCE, {
      eval: true,
      workerData: {
        oxigraphPath,
        sources: this.options.sources,
        snapshotDir: this.options.snapshotDir,
      },
    });
    this.worker = worker;
    this.workerReady = false;
    worker.unref();
    return new Promise<EmbeddedStoreStatus>((resolve, reject) => {
      worker.on('message', (m: WorkerMessage) => {
        switch (m.type) {
          case 'ready':
            this.status = { triples: m.size, loadMs: m.ms, from: m.from };
            this.log.info(this.status, 'embedded knowledge graph loaded');
            this.workerReady = true;
            // Queries that waited for a restart go to the new worker.
            for (const p of this.pending.values()) worker.postMessage(p.msg);
            resolve(this.status);
            break;
          case 'fatal':
            this.log.error({ reason: m.message }, 'embedded knowledge graph failed to load');
            reject(unavailable(`the embedded store failed to load: ${m.message}`));
            break;
          case 'result':
            this.pending.get(m.id)?.resolve(m.text);
            this.pending.delete(m.id);
            break;
          case 'error':
            this.pending
              .get(m.id)
              ?.reject(
                new DomainError(
                  'invalid_input',
                  'kg.query_rejected',
                  `The embedded store could not run the query: ${m.message}`,
                ),
              );
            this.pending.delete(m.id);
            break;
        }
      });
      worker.on('error', (err) => {
        this.log.error({ err }, 'embedded knowledge graph worker crashed');
        reject(unavailable(err.message));
      });
      worker.on('exit', (code) => {
        // An exit we did not ask for (out of memory in a huge query): open the store again.
        if (this.worker === worker && this.workerReady && !this.closed) {
          this.log.error({ code }, 'embedded knowledge graph worker exited: restarting');
          this.restart();
        }
      });
    });
  }

  private restart(): void {
    if (this.closed) return;
    const old = this.worker;
    this.worker = undefined;
    void old?.terminate();
    this.ready = this.spawn();
    this.ready.catch(() => undefined);
  }
}

function unavailable(reason: string): DomainError {
  return new DomainError(
    'unavailable',
    'kg.embedded_unavailable',
    `The embedded knowledge graph is unavailable: ${reason}`,
    {
      headers: { 'Retry-After': '5' },
    },
  );
}
