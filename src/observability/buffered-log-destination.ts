import { writeSync } from 'node:fs';

/** Where the gathered lines go: process.stdout in production (a stream with its own queue). */
export interface LogOutput {
  write(chunk: string): unknown;
  on?(event: 'error', listener: (err: Error) => void): unknown;
  /** Characters (bytes) written but not yet taken by the reader: the bound counts them too. */
  readonly writableLength: number;
}

export interface BufferedLogOptions {
  /** The stream the lines are written to; process.stdout unless a test passes its own. */
  out?: LogOutput;
  /** The descriptor written synchronously at exit (1: stdout). */
  fd: number;
  /** Characters gathered before they are written. */
  minLength: number;
  /** Characters held at most (gathered and queued) while the reader is slow; beyond, lines drop. */
  maxLength: number;
  /** What has gathered is written this often when traffic is too light to fill `minLength`. */
  periodicFlushMs: number;
}

const EAGAIN_RETRY_MS = 5;
/** How long the exit flush waits for a full pipe before it gives up. */
const EXIT_FLUSH_PATIENCE_MS = 1000;

const open = new Set<BufferedLogDestination>();
let exitHook = false;

/**
 * A buffered, bounded log destination: lines are kept in an array and written as one chunk once
 * `minLength` characters have gathered (or every `periodicFlushMs`), through process.stdout.
 *
 * Measured (bench/http.bench.js, shared/notes/performance.md), what it replaces cost more than the
 * rest of a request's logging: sonic-boom's `minLength` mode (pino.destination) appends each line to
 * a pending string and measures the byte length of that whole string on every line, flattening it
 * each time; and its writes go through the libuv thread pool, whose threads wake on the service's
 * own core for every chunk. Here a line costs an array push; a chunk is one write on the stdout
 * stream, which on a pipe (a container's log) writes at once from the event loop and queues only
 * when the pipe is full; the bound counts that queue, so a stalled reader costs dropped lines
 * (counted in a later line), never memory or a blocked event loop.
 *
 * On exit (process.exit after shutdown, or the end of the event loop) what has gathered is written
 * synchronously. A SIGKILL loses at most the last `periodicFlushMs`.
 */
export class BufferedLogDestination {
  private pending: string[] = [];
  private pendingLength = 0;
  private dropped = 0;
  // The reader went away (EPIPE): lines are dropped from then on rather than crash the service.
  private broken = false;
  private readonly out: LogOutput;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly opts: BufferedLogOptions) {
    this.out = opts.out ?? process.stdout;
    this.out.on?.('error', () => (this.broken = true));
    this.timer = setInterval(() => this.flush(), opts.periodicFlushMs);
    this.timer.unref();
    open.add(this);
    if (!exitHook) {
      exitHook = true;
      process.on('exit', () => {
        for (const d of open) d.flushSync();
      });
    }
  }

  write(line: string): boolean {
    if (this.broken) return false;
    if (this.pendingLength + this.out.writableLength + line.length > this.opts.maxLength) {
      this.dropped++;
      return false;
    }
    this.pending.push(line);
    this.pendingLength += line.length;
    if (this.pendingLength >= this.opts.minLength) this.flush();
    return true;
  }

  /** Writes what has gathered to the stream. */
  flush(): void {
    if (this.pendingLength > 0) this.out.write(this.take());
  }

  /** Writes what has gathered synchronously, to the descriptor (exit). */
  flushSync(): void {
    if (this.pendingLength === 0 && this.dropped === 0) return;
    let buf = Buffer.from(this.take());
    const giveUpAt = Date.now() + EXIT_FLUSH_PATIENCE_MS;
    while (buf.length > 0) {
      try {
        buf = buf.subarray(writeSync(this.opts.fd, buf));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() > giveUpAt) return;
        // A non-blocking pipe that is full: give the reader a moment.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, EAGAIN_RETRY_MS);
      }
    }
  }

  /** Stops the periodic flush and writes what has gathered (tests). */
  end(): void {
    clearInterval(this.timer);
    open.delete(this);
    this.flush();
  }

  private take(): string {
    if (this.dropped > 0) {
      const note = JSON.stringify({
        level: 'warn',
        time: new Date().toISOString(),
        service: 'voicebox',
        dropped_lines: this.dropped,
        msg: 'log lines dropped: the log reader did not keep up',
      });
      this.pending.push(note + '\n');
      this.dropped = 0;
    }
    const chunk = this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    return chunk;
  }
}
