import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { DomainError } from '../../common/errors/domain-error.js';
import { kgCancelled } from '../kg-cancelled.js';
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
  query: StoreQuery;
  resolve: (text: string) => void;
  reject: (err: Error) => void;
}

type WorkerMessage =
  | { type: 'ready'; size: number; ms: number; from: 'files' | 'snapshot' }
  | { type: 'fatal'; message: string }
  | { type: 'result'; id: number; text: string }
  | { type: 'error'; id: number; message: string };

/**
 * The in-process SPARQL store (oxigraph in a worker thread). Queries wait in a queue here and go to
 * the worker one at a time, so a query's deadline counts from when the worker starts it, not from
 * when it joined the queue. A query past its deadline fails alone: the worker is terminated — the
 * only way to stop synchronous WASM — and opened again (about 0.4 s for CK25), and the queries
 * waiting behind it then run on the new worker.
 */
export class EmbeddedStore extends SparqlStore {
  readonly kind = 'embedded' as const;
  private worker?: Worker;
  private ready?: Promise<EmbeddedStoreStatus>;
  private readonly queue: Pending[] = [];
  /** The query the worker is running; its caller may have left (then its answer is dropped). */
  private running?: { pending: Pending; timer: NodeJS.Timeout };
  private nextId = 1;
  /** Until the worker reports ready, queries wait in the queue. */
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
    this.failAll(unavailable('the service is shutting down'));
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
    if (q.ctx.signal?.aborted) return Promise.reject(kgCancelled());
    const msg = {
      type: 'query' as const,
      id: this.nextId++,
      sparql: q.sparql,
      form: q.form,
      namedGraphs: q.target.namedGraphs,
    };
    return new Promise<string>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        q.ctx.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const pending: Pending = {
        msg,
        query: q,
        resolve: (t) => settle(() => resolve(t)),
        reject: (e) => settle(() => reject(e)),
      };
      // A caller who leaves is answered at once. A query still queued is dropped; one the worker is
      // running keeps its place until it ends or overruns (its answer then goes nowhere).
      const onAbort = () => {
        const i = this.queue.indexOf(pending);
        if (i >= 0) this.queue.splice(i, 1);
        pending.reject(kgCancelled());
      };
      q.ctx.signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(pending);
      this.pump();
    });
  }

  /** Sends the next queued query when the worker is ready and idle; its deadline starts now. */
  private pump(): void {
    if (this.closed || !this.workerReady || this.running || !this.worker) return;
    const pending = this.queue.shift();
    if (!pending) return;
    const timer = setTimeout(() => this.overrun(pending), pending.query.timeoutMs);
    this.running = { pending, timer };
    this.worker.postMessage(pending.msg);
  }

  private finish(id: number, outcome: (p: Pending) => void): void {
    const running = this.running;
    if (running?.pending.msg.id !== id) return;
    clearTimeout(running.timer);
    this.running = undefined;
    outcome(running.pending);
    this.pump();
  }

  private overrun(pending: Pending): void {
    if (this.running?.pending !== pending) return;
    this.running = undefined;
    const { timeoutMs, target } = pending.query;
    pending.reject(timeoutError(target.connection, timeoutMs));
    this.log.warn(
      { timeoutMs, waiting: this.queue.length },
      'embedded query past its deadline: restarting the store',
    );
    this.restart();
  }

  private failAll(err: DomainError): void {
    if (this.running) clearTimeout(this.running.timer);
    const all = [...(this.running ? [this.running.pending] : []), ...this.queue];
    this.running = undefined;
    this.queue.length = 0;
    for (const p of all) p.reject(err);
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
      // The store cannot open: nothing queued would ever run.
      const failed = (err: DomainError) => {
        if (this.worker === worker) this.failAll(err);
        reject(err);
      };
      worker.on('message', (m: WorkerMessage) => {
        switch (m.type) {
          case 'ready':
            this.status = { triples: m.size, loadMs: m.ms, from: m.from };
            this.log.info(this.status, 'embedded knowledge graph loaded');
            this.workerReady = true;
            resolve(this.status);
            this.pump();
            break;
          case 'fatal':
            this.log.error({ reason: m.message }, 'embedded knowledge graph failed to load');
            failed(unavailable(`the embedded store failed to load: ${m.message}`));
            break;
          case 'result':
            this.finish(m.id, (p) => p.resolve(m.text));
            break;
          case 'error':
            this.finish(m.id, (p) =>
              p.reject(
                new DomainError(
                  'invalid_input',
                  'kg.query_rejected',
                  `The embedded store could not run the query: ${m.message}`,
                ),
              ),
            );
            break;
        }
      });
      worker.on('error', (err) => {
        this.log.error({ err }, 'embedded knowledge graph worker crashed');
        failed(unavailable(err.message));
      });
      worker.on('exit', (code) => {
        // An exit we did not ask for (out of memory in a huge query): the query it was running
        // fails, the store is opened again for the queries behind it.
        if (this.worker === worker && this.workerReady && !this.closed) {
          this.log.error({ code }, 'embedded knowledge graph worker exited: restarting');
          const running = this.running;
          if (running) {
            clearTimeout(running.timer);
            this.running = undefined;
            running.pending.reject(unavailable('the store stopped while running the query'));
          }
          this.restart();
        }
      });
    });
  }

  private restart(): void {
    if (this.closed) return;
    const old = this.worker;
    this.worker = undefined;
    this.workerReady = false;
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
