/**
 * Turns the pipeline's pushes into an async iterable for the stream route: events queue until the
 * reader takes them; an error ends the iteration with that error. When the reader stops early,
 * `onCancel` runs (the pipeline's abort).
 */
export class EventChannel<T> implements AsyncIterable<T> {
  private readonly queue: T[] = [];
  private wake?: () => void;
  private ended = false;
  private failure?: { error: unknown };

  constructor(private readonly onCancel: () => void = () => undefined) {}

  push(value: T): void {
    if (this.ended) return;
    this.queue.push(value);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  fail(error: unknown): void {
    if (this.ended) return;
    this.failure = { error };
    this.end();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    let finished = false;
    try {
      for (;;) {
        const next = this.queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (this.ended) {
          finished = true;
          if (this.failure) throw this.failure.error;
          return;
        }
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
      }
    } finally {
      if (!finished) this.onCancel();
    }
  }
}
