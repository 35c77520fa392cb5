/**
 * The life of one LLM call: a deadline, the caller's abort signal, and which of the two ended it.
 * The deadline covers the whole call, retries and their waits included; for a stream it restarts at
 * every event, so a long answer that keeps flowing is not cut off.
 */
export class LlmCallScope {
  readonly signal: AbortSignal;
  attempts = 0;
  readonly startedAt = Date.now();
  private readonly deadline = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private endsAt: number;

  constructor(
    readonly timeoutMs: number,
    private readonly callerSignal?: AbortSignal,
  ) {
    this.endsAt = Date.now() + timeoutMs;
    this.timer = setTimeout(() => this.deadline.abort(new Error('LLM call timed out')), timeoutMs);
    this.signal = callerSignal
      ? AbortSignal.any([this.deadline.signal, callerSignal])
      : this.deadline.signal;
  }

  get timedOut(): boolean {
    return this.deadline.signal.aborted && !this.callerAborted;
  }

  get callerAborted(): boolean {
    return this.callerSignal?.aborted ?? false;
  }

  get remainingMs(): number {
    return this.endsAt - Date.now();
  }

  /** Streams: progress restarts the deadline. */
  refresh(): void {
    this.endsAt = Date.now() + this.timeoutMs;
    this.timer.refresh();
  }

  /**
   * Ends the call. `abort` closes what may still be open (a stream the consumer left early); a
   * completed call has read its whole response, and aborting it anyway cost ~0.5 ms a call here
   * (the SDK's and undici's listeners each build an abort error for a request already done).
   */
  dispose(opts: { abort: boolean } = { abort: true }): void {
    clearTimeout(this.timer);
    if (opts.abort && !this.deadline.signal.aborted) {
      this.deadline.abort(new Error('LLM call finished'));
    }
  }

  /** Waits, or rejects as soon as the call is aborted or times out. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.signal.aborted) return reject(new Error('aborted'));
      const onAbort = () => {
        clearTimeout(t);
        reject(new Error('aborted'));
      };
      const t = setTimeout(() => {
        this.signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      this.signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
