import { describe, expect, it } from 'vitest';
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
