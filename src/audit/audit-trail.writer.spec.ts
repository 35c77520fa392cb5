import pino from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import type { AuditEntry } from './audit-entry.js';
import type { AuditTrailRepository } from './audit-trail.repository.js';
import { AUDIT_QUEUE_LIMIT, AuditTrailWriter } from './audit-trail.writer.js';

const entry = (n: number): AuditEntry => ({
  id: `id-${n}`,
  createdAt: new Date(),
  requestId: `req-${n}`,
  route: '/api/v1/voicebox/ask',
  status: 200,
  outcome: 'answered',
  durationMs: 1,
  promptTokens: 0,
  completionTokens: 0,
  llmCalls: [],
});

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      cb();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines };
}

/** A database that answers when told to (or fails). */
class GatedRepository {
  stored: AuditEntry[][] = [];
  private release!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));
  fail = false;
  open(): void {
    this.release();
  }
  async insertMany(batch: readonly AuditEntry[]): Promise<void> {
    await this.gate;
    if (this.fail) throw Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
    this.stored.push([...batch]);
  }
}

describe('AuditTrailWriter', () => {
  it('gathers the entries of one moment into one insert, and flush does not wait out the linger', async () => {
    // The linger's timer never fires here: a flush that waited for it would never resolve.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const repo = new GatedRepository();
      repo.open();
      const { log } = capture();
      const writer = new AuditTrailWriter(repo as unknown as AuditTrailRepository, log);
      // Responses one after another, each leaving the event loop in between, as sequential asks do.
      for (let i = 0; i < 3; i++) {
        writer.write(entry(i));
        await new Promise((r) => setImmediate(r));
        await new Promise((r) => setImmediate(r));
      }
      expect(repo.stored).toHaveLength(0);
      expect(vi.getTimerCount()).toBe(1);
      await writer.flush();
      expect(repo.stored.map((b) => b.map((e) => e.id))).toEqual([['id-0', 'id-1', 'id-2']]);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('returns at once while the database is slow, then stores what queued up in batches', async () => {
    const repo = new GatedRepository();
    const { log } = capture();
    const writer = new AuditTrailWriter(repo as unknown as AuditTrailRepository, log);
    const started = performance.now();
    for (let i = 0; i < 500; i++) writer.write(entry(i));
    expect(performance.now() - started).toBeLessThan(50);
    expect(repo.stored).toHaveLength(0);
    repo.open();
    await writer.flush();
    expect(repo.stored.flat().map((e) => e.id)).toEqual(
      Array.from({ length: 500 }, (_, i) => `id-${i}`),
    );
    expect(repo.stored.length).toBeLessThan(500);
  });

  it('logs a failed batch by request id and count, never by content, and keeps going', async () => {
    const repo = new GatedRepository();
    repo.fail = true;
    repo.open();
    const { log, lines } = capture();
    const writer = new AuditTrailWriter(repo as unknown as AuditTrailRepository, log);
    writer.write({ ...entry(1), sparql: 'SELECT * WHERE { ?s ?p ?o }' });
    await writer.flush();
    const failure = lines.find((l) => l.msg === 'audit trail: entries could not be stored');
    expect(failure).toMatchObject({ lost: 1, request_ids: ['req-1'], code: 'ECONNREFUSED' });
    expect(JSON.stringify(lines)).not.toContain('SELECT');
    repo.fail = false;
    writer.write(entry(2));
    await writer.flush();
    expect(repo.stored.flat().map((e) => e.id)).toEqual(['id-2']);
  });

  it('stays bounded: past the limit, entries are dropped with a warning', async () => {
    const repo = new GatedRepository();
    const { log, lines } = capture();
    const writer = new AuditTrailWriter(repo as unknown as AuditTrailRepository, log);
    for (let i = 0; i < AUDIT_QUEUE_LIMIT + 5; i++) writer.write(entry(i));
    expect(lines.some((l) => String(l.msg).startsWith('audit trail queue full'))).toBe(true);
    repo.open();
    await writer.flush();
    // The first batch had already left the queue when it filled; nothing past the bound was kept.
    expect(repo.stored.flat().length).toBeLessThanOrEqual(AUDIT_QUEUE_LIMIT + 200);
  });
});
