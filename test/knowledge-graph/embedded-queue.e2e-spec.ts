import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TARGET } from '../../src/knowledge-graph/demo-target.js';
import { userSource } from '../../src/knowledge-graph/embedded/embedded-sources.js';
import { EmbeddedStore } from '../../src/knowledge-graph/embedded/embedded-store.js';
import type { KgRequestContext } from '../../src/knowledge-graph/kg-connection.js';
import type { QueryForm } from '../../src/knowledge-graph/sparql-read-only-gate.js';
import { LogCapture } from '../support/log-capture.js';

const TRIPLES = 2_000;
/** 2,000³ = 8·10⁹ rows to count: minutes of work for oxigraph, far past any deadline here. */
const CROSS_PRODUCT = 'SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }';
const SLOW_DEADLINE_MS = 2_500;
/**
 * Thousands of times what a lookup in 2,000 triples takes (under a millisecond, even on a fresh
 * worker), yet shorter than the slow query's deadline: a deadline counted from joining the queue
 * would pass while they wait behind it.
 */
const QUICK_DEADLINE_MS = 2_000;
const RESTARTING = 'embedded query past its deadline: restarting the store';
const LOADED = 'embedded knowledge graph loaded';

describe('embedded store queue: one query at a time, deadlines from its start', () => {
  let dir: string;
  let store: EmbeddedStore;
  let logs: LogCapture;

  const run = (sparql: string, form: QueryForm, timeoutMs: number, ctx: KgRequestContext = {}) =>
    store.execute({
      target: DEMO_TARGET,
      sparql,
      form,
      timeoutMs,
      maxResponseBytes: 64 * 1_048_576,
      ctx,
    });
  const messages = (msg: string) => logs.json().filter((l) => l.msg === msg).length;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vbx-embedded-queue-'));
    const file = join(dir, 'generated.nt');
    const lines: string[] = [];
    for (let i = 0; i < TRIPLES; i++) {
      lines.push(`<http://g.example/s${i}> <http://g.example/p${i % 10}> "v${i}" .`);
    }
    writeFileSync(file, lines.join('\n') + '\n');
    logs = new LogCapture();
    store = new EmbeddedStore({ sources: [userSource(file)] }, pino({ level: 'info' }, logs));
    await store.start();
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a query past its deadline fails alone; the queries queued behind it run on the fresh worker', async () => {
    const restartsBefore = messages(RESTARTING);
    const loadsBefore = messages(LOADED);
    const settled: string[] = [];
    const track = <T>(name: string, p: Promise<T>) =>
      p.then(
        (v) => {
          settled.push(`${name}:ok`);
          return v;
        },
        (err: { code?: string }) => {
          settled.push(`${name}:${err.code}`);
          throw err;
        },
      );

    const slow = track('slow', run(CROSS_PRODUCT, 'SELECT', SLOW_DEADLINE_MS));
    const ask = track(
      'ask',
      run('ASK { <http://g.example/s7> ?p "v7" }', 'ASK', QUICK_DEADLINE_MS),
    );
    const select = track(
      'select',
      run('SELECT ?o WHERE { <http://g.example/s42> ?p ?o }', 'SELECT', QUICK_DEADLINE_MS),
    );
    const count = track(
      'count',
      run(
        'SELECT (COUNT(*) AS ?n) WHERE { ?s <http://g.example/p3> ?o }',
        'SELECT',
        QUICK_DEADLINE_MS,
      ),
    );

    await expect(slow).rejects.toMatchObject({ kind: 'dependency_timeout', code: 'kg.timeout' });
    expect(await ask).toEqual({ kind: 'boolean', value: true });
    expect(await select).toMatchObject({ kind: 'bindings', bindings: [{ o: { value: 'v42' } }] });
    expect(await count).toMatchObject({ bindings: [{ n: { value: String(TRIPLES / 10) } }] });
    // They waited behind the slow query for longer than their own deadline, and still succeeded.
    expect(settled).toEqual(['slow:kg.timeout', 'ask:ok', 'select:ok', 'count:ok']);
    // One overrun, one restart.
    expect(messages(RESTARTING) - restartsBefore).toBe(1);
    expect(messages(LOADED) - loadsBefore).toBe(1);
  });

  it('a caller who leaves while queued is dropped at once; the others still run', async () => {
    const restartsBefore = messages(RESTARTING);
    const leaving = new AbortController();
    const slow = run(CROSS_PRODUCT, 'SELECT', SLOW_DEADLINE_MS);
    const left = run('ASK { ?s ?p ?o }', 'ASK', QUICK_DEADLINE_MS, { signal: leaving.signal });
    const stays = run('ASK { <http://g.example/s1> ?p ?o }', 'ASK', QUICK_DEADLINE_MS);
    let slowSettled = false;
    void slow.catch(() => undefined).finally(() => (slowSettled = true));
    leaving.abort();
    await expect(left).rejects.toMatchObject({ code: 'kg.cancelled' });
    expect(slowSettled).toBe(false);
    await expect(slow).rejects.toMatchObject({ code: 'kg.timeout' });
    expect(await stays).toEqual({ kind: 'boolean', value: true });
    expect(messages(RESTARTING) - restartsBefore).toBe(1);
  });
});
