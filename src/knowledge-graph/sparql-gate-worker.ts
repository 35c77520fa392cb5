import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { DomainError } from '../common/errors/domain-error.js';
import { kgCancelled } from './kg-cancelled.js';
import { analyseSparql, type GateAnalysis } from './sparql-gate-core.js';

/**
 * Plain JavaScript run with `eval: true` (the same text works from the TypeScript sources in tests
 * and from dist/): sparqljs and the gate's analysis, which is one self-contained function.
 */
const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const lib = require(workerData.sparqljsPath);
${analyseSparql.toString()}
parentPort.postMessage({ ready: true });
parentPort.on('message', (m) => {
  parentPort.postMessage({ id: m.id, analysis: analyseSparql(lib, m.sparql, m.cap) });
});
`;

export type WorkerAnalysis = GateAnalysis | { kind: 'timeout' };

interface Job {
  id: number;
  sparql: string;
  cap: number;
  deadlineMs: number;
  signal?: AbortSignal;
  resolve: (a: WorkerAnalysis) => void;
  reject: (err: Error) => void;
}

/**
 * Parses queries in a worker thread, one at a time, each within its deadline counted from when the
 * worker starts it. A parse past its deadline terminates the worker (a synchronous parser cannot be
 * interrupted otherwise); the next query gets a fresh one. The event loop only scans and copies text.
 */
export class SparqlGateWorker {
  private static instance?: SparqlGateWorker;
  private worker?: Worker;
  /** Deadlines count from when the worker can start a query, not from while it boots. */
  private workerReady = false;
  private readonly queue: Job[] = [];
  private current?: { job: Job; timer: NodeJS.Timeout };
  private nextId = 1;

  /** One worker for the process: gates are cheap objects, the thread is not. */
  static shared(): SparqlGateWorker {
    SparqlGateWorker.instance ??= new SparqlGateWorker();
    return SparqlGateWorker.instance;
  }

  analyse(sparql: string, cap: number, deadlineMs: number, signal?: AbortSignal) {
    return new Promise<WorkerAnalysis>((resolve, reject) => {
      if (signal?.aborted) return reject(kgCancelled());
      this.queue.push({ id: this.nextId++, sparql, cap, deadlineMs, signal, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.current) return;
    let job = this.queue.shift();
    while (job?.signal?.aborted) {
      job.reject(kgCancelled());
      job = this.queue.shift();
    }
    if (!job) return;
    const worker = this.ensureWorker();
    // Busy, the thread keeps the process alive (a script awaiting a check); idle, it must not.
    worker.ref();
    if (!this.workerReady) {
      this.queue.unshift(job);
      return;
    }
    const timer = setTimeout(() => {
      this.finish(job, { kind: 'timeout' });
      this.discardWorker();
      this.pump();
    }, job.deadlineMs);
    this.current = { job, timer };
    worker.postMessage({ id: job.id, sparql: job.sparql, cap: job.cap });
  }

  private finish(job: Job, analysis: WorkerAnalysis | Error): void {
    if (this.current?.job !== job) return;
    clearTimeout(this.current.timer);
    this.current = undefined;
    if (this.queue.length === 0) this.worker?.unref();
    if (analysis instanceof Error) job.reject(analysis);
    else job.resolve(analysis);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { sparqljsPath: createRequire(import.meta.url).resolve('sparqljs') },
      // A query is at most 64 KiB: a parse needing more than this is an attack, not a query.
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
    worker.on('message', (m: { ready?: true; id: number; analysis: GateAnalysis }) => {
      if (m.ready) {
        this.workerReady = true;
        return this.pump();
      }
      const job = this.current?.job;
      if (job?.id === m.id) {
        this.finish(job, m.analysis);
        this.pump();
      }
    });
    const lost = (reason: string) => {
      if (this.worker !== worker) return;
      const booted = this.workerReady;
      this.worker = undefined;
      this.workerReady = false;
      const job = this.current?.job;
      if (job) this.finish(job, { kind: 'invalid', reason });
      if (!booted) {
        // A thread that cannot even start would be started again forever: fail what waits.
        for (const waiting of this.queue.splice(0)) waiting.reject(parserUnavailable(reason));
        return;
      }
      this.pump();
    };
    worker.on('error', (err) => lost(`the parser failed: ${err.message}`));
    worker.on('exit', () => lost('the parser stopped'));
    // Idle until `pump` gives it work. Unref after the listeners: adding one refs the worker again.
    worker.unref();
    this.worker = worker;
    this.workerReady = false;
    return worker;
  }

  private discardWorker(): void {
    const old = this.worker;
    this.worker = undefined;
    this.workerReady = false;
    void old?.terminate();
  }
}

function parserUnavailable(reason: string): DomainError {
  return new DomainError(
    'unavailable',
    'kg.unavailable',
    `The SPARQL parser is unavailable: ${reason}`,
  );
}
