import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BufferedLogDestination, type LogOutput } from './buffered-log-destination.js';

/** A stream stand-in: records each chunk; `queued` plays the bytes a slow reader has not taken. */
class RecordingOutput implements LogOutput {
  readonly chunks: string[] = [];
  queued = 0;
  get writableLength(): number {
    return this.queued;
  }
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }
  get text(): string {
    return this.chunks.join('');
  }
}

describe('BufferedLogDestination', () => {
  const ends: Array<() => void> = [];
  afterEach(() => {
    for (const end of ends.splice(0)) end();
  });

  function destination(opts: { minLength?: number; maxLength?: number; periodicFlushMs?: number }) {
    const out = new RecordingOutput();
    const file = join(mkdtempSync(join(tmpdir(), 'vbx-log-')), 'exit.log');
    const fd = openSync(file, 'w');
    const d = new BufferedLogDestination({
      out,
      fd,
      minLength: opts.minLength ?? 64,
      maxLength: opts.maxLength ?? 1024 * 1024,
      periodicFlushMs: opts.periodicFlushMs ?? 60_000,
    });
    ends.push(() => {
      d.end();
      closeSync(fd);
    });
    return { d, out, exitFile: () => readFileSync(file, 'utf8') };
  }

  it('holds lines until minLength has gathered, then writes them as one chunk, in order', () => {
    const { d, out } = destination({ minLength: 64 });
    for (let n = 1; n <= 7; n++) d.write(`{"n":${n}}\n`); // 8 characters each
    expect(out.chunks).toEqual([]);
    d.write('{"n":8}\n');
    expect(out.chunks).toHaveLength(1);
    expect(
      out.text
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { n: number }).n),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('writes a light trickle within the periodic flush', async () => {
    const { d, out } = destination({ minLength: 4096, periodicFlushMs: 20 });
    d.write('{"msg":"alone"}\n');
    for (let i = 0; i < 100 && out.chunks.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(out.text).toBe('{"msg":"alone"}\n');
  });

  it('drops lines while the reader is behind by maxLength, and says how many in a later line', () => {
    const { d, out } = destination({ minLength: 40, maxLength: 100 });
    const line = `{"msg":"${'x'.repeat(30)}"}\n`; // 41 characters: each one is written at once
    out.queued = 50; // the reader has not taken 50 characters yet
    expect(d.write(line)).toBe(true);
    out.queued = 91; // nor the line just written
    expect(d.write(line)).toBe(false);
    out.queued = 0; // caught up
    expect(d.write(line)).toBe(true);
    const lines = out.text.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[2])).toMatchObject({ level: 'warn', dropped_lines: 1 });
  });

  it('writes what has gathered synchronously to the descriptor at exit', () => {
    const { d, out, exitFile } = destination({ minLength: 4096 });
    d.write('{"msg":"last words"}\n');
    d.flushSync();
    expect(out.chunks).toEqual([]);
    expect(exitFile()).toBe('{"msg":"last words"}\n');
  });
});
