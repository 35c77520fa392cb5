import { describe, expect, it } from 'vitest';
import { DomainError } from '../../common/errors/domain-error.js';
import { credentialIdentity } from '../stores/credentials.js';
import type { KgConnection } from '../kg-connection.js';
import type { GraphSchema } from './graph-schema.js';
import { SchemaCache, type SchemaCacheKey } from './schema-cache.js';

const schema = (n: number): GraphSchema => ({
  source: 'ontology',
  classes: [{ iri: `http://e/C${n}`, superClasses: [] }],
  properties: [],
  shapes: [],
  dataShapes: [],
  extractedAt: '',
});
const key = (over: Partial<SchemaCacheKey> = {}): SchemaCacheKey => ({
  connectionId: 'c',
  database: 'db',
  model: 'm',
  namedGraphs: ['http://g/2', 'http://g/1'],
  reasoning: false,
  credentialIdentity: 'id-a',
  ...over,
});

describe('SchemaCache', () => {
  it('serves within the TTL, reloads after it, and reloads on refresh', async () => {
    let now = 0;
    const cache = new SchemaCache(1000, () => now);
    let loads = 0;
    const load = () => Promise.resolve(schema(++loads));
    const first = await cache.get(key(), load);
    expect(await cache.get(key({ namedGraphs: ['http://g/1', 'http://g/2'] }), load)).toBe(first);
    expect(await cache.get(key(), load, { refresh: true })).not.toBe(first);
    now = 1001;
    await cache.get(key(), load);
    expect(loads).toBe(3);
  });

  it('never shares an entry across credentials, endpoints, databases, models or graphs', async () => {
    const cache = new SchemaCache(60_000);
    let loads = 0;
    const load = () => Promise.resolve(schema(++loads));
    for (const k of [
      key(),
      key({ credentialIdentity: 'id-b' }),
      key({ database: 'db2' }),
      key({ model: 'm2' }),
      key({ namedGraphs: [] }),
      key({ reasoning: true }),
      key({ connectionId: 'c2' }),
      key({ endpoint: 'http://elsewhere.example/sparql' }),
    ]) {
      await cache.get(k, load);
    }
    expect(loads).toBe(8);
    expect(cache.size).toBe(8);
  });

  it('a caller who leaves abandons only its own wait; the shared load goes on for the others', async () => {
    const cache = new SchemaCache(60_000);
    let loadSignal: AbortSignal | undefined;
    let finish!: (s: GraphSchema) => void;
    let loads = 0;
    const load = (signal: AbortSignal) => {
      loads++;
      loadSignal = signal;
      return new Promise<GraphSchema>((resolve) => (finish = resolve));
    };
    const a = new AbortController();
    const b = new AbortController();
    const first = cache.get(key(), load, { signal: a.signal });
    const second = cache.get(key(), load, { signal: b.signal });
    a.abort();
    await expect(first).rejects.toMatchObject({ code: 'kg.cancelled' });
    expect(loadSignal?.aborted).toBe(false);
    finish(schema(1));
    expect(await second).toEqual(schema(1));
    expect(loads).toBe(1);
  });

  it('aborts the shared load when every waiter has gone; the next caller starts a fresh one', async () => {
    const cache = new SchemaCache(60_000);
    const signals: AbortSignal[] = [];
    const load = (signal: AbortSignal) => {
      signals.push(signal);
      return new Promise<GraphSchema>((resolve, reject) => {
        signal.addEventListener('abort', () =>
          reject(new DomainError('unavailable', 'kg.cancelled', 'cancelled')),
        );
        if (signals.length > 1) resolve(schema(signals.length));
      });
    };
    const a = new AbortController();
    const b = new AbortController();
    const first = cache.get(key(), load, { signal: a.signal });
    const second = cache.get(key(), load, { signal: b.signal });
    a.abort();
    expect(signals[0].aborted).toBe(false);
    b.abort();
    expect(signals[0].aborted).toBe(true);
    await expect(first).rejects.toMatchObject({ code: 'kg.cancelled' });
    await expect(second).rejects.toMatchObject({ code: 'kg.cancelled' });
    expect(cache.loading).toBe(0);
    expect(await cache.get(key(), load)).toEqual(schema(2));
    expect(signals).toHaveLength(2);
  });

  it('a caller without a signal keeps the shared load alive', async () => {
    const cache = new SchemaCache(60_000);
    let loadSignal: AbortSignal | undefined;
    let finish!: (s: GraphSchema) => void;
    const load = (signal: AbortSignal) => {
      loadSignal = signal;
      return new Promise<GraphSchema>((resolve) => (finish = resolve));
    };
    const a = new AbortController();
    const first = cache.get(key(), load, { signal: a.signal });
    const second = cache.get(key(), load);
    a.abort();
    await expect(first).rejects.toMatchObject({ code: 'kg.cancelled' });
    expect(loadSignal?.aborted).toBe(false);
    finish(schema(3));
    expect(await second).toEqual(schema(3));
  });

  it('derives the credential identity from the effective credential', () => {
    const conn: KgConnection = {
      id: 'c',
      kind: 'stardog',
      credential: { kind: 'basic', username: 'u', password: 'p' },
    };
    const stored = credentialIdentity(conn, {});
    expect(credentialIdentity(conn, {})).toBe(stored);
    expect(
      credentialIdentity(
        { ...conn, credential: { kind: 'basic', username: 'u', password: 'q' } },
        {},
      ),
    ).not.toBe(stored);
    const userA = credentialIdentity(conn, { sdAuthToken: 'token-a' });
    const userB = credentialIdentity(conn, { sdAuthToken: 'token-b' });
    expect(userA).not.toBe(userB);
    expect(userA).not.toBe(stored);
    expect(userA).not.toContain('token-a');
  });
});
