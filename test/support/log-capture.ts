import { Writable } from 'node:stream';

/** A log sink that keeps every line, so tests can assert what was (and was not) logged. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void) {
    for (const line of chunk.toString().split('\n')) if (line.trim()) this.lines.push(line);
    cb();
  }

  get text(): string {
    return this.lines.join('\n');
  }

  json(): Array<Record<string, unknown>> {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}
