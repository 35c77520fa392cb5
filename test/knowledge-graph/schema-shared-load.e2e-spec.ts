import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { KgTarget } from '../../src/knowledge-graph/kg-connection.js';
import { StardogWireServer } from '../support/sparql/stardog-wire-server.js';
import { startKg, type KgHarness } from './kg-harness.js';

const PEOPLE = `
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Person a rdfs:Class ; rdfs:label "Person" .
ex:alice a ex:Person ; rdfs:label "Alice" .
`;
/** What one extraction sends: five ontology SELECTs and two usage counts. */
const EXTRACTION_QUERIES = 7;

describe('schema extraction shared between callers (loopback Stardog wire server)', () => {
  let server: StardogWireServer;
  let h: KgHarness;
  let database = 0;
  // A database of its own per test: the schema cache never serves one test's extraction to another.
  const target = (): KgTarget => ({
    connection: {
      id: 'sd',
      kind: 'stardog',
      endpoint: server.baseUrl,
      credential: { kind: 'bearer', token: 'stored-token' },
    },
    database: `people${database}`,
    reasoning: false,
    namedGraphs: [],
  });

  beforeAll(async () => {
    server = await new StardogWireServer({
      databases: { people1: PEOPLE, people2: PEOPLE },
      staticTokens: ['stored-token'],
    }).start();
    h = await startKg({ VOICEBOX_EMBEDDED_DEMO: 'false' });
  });
  afterAll(async () => {
    await h?.close();
    await server?.stop();
  });

  it('the caller who started a load leaves: the load goes on and the other caller gets the schema', async () => {
    database = 1;
    server.delayMs = 400;
    try {
      const a = new AbortController();
      const b = new AbortController();
      const first = h.kg.schema(target(), { signal: a.signal });
      const second = h.kg.schema(target(), { signal: b.signal });
      await vi.waitFor(() => expect(server.queryRequests.length).toBeGreaterThan(0));
      a.abort();
      await expect(first).rejects.toMatchObject({ code: 'kg.cancelled' });
      const schema = await second;
      expect(schema.classes.map((c) => c.iri)).toContain('http://example.org/Person');
      expect(server.abandonedQueries).toEqual([]);
    } finally {
      server.delayMs = 0;
    }
  });

  it('the load is cancelled once every caller has left (the server sees its requests closed)', async () => {
    database = 2;
    server.hangWhen = () => true;
    const before = server.queryRequests.length;
    try {
      const a = new AbortController();
      const b = new AbortController();
      const first = h.kg.schema(target(), { signal: a.signal });
      let secondSettled = false;
      const second = h.kg.schema(target(), { signal: b.signal });
      void second.catch(() => undefined).finally(() => (secondSettled = true));
      await vi.waitFor(() => expect(server.queryRequests.length - before).toBe(EXTRACTION_QUERIES));
      a.abort();
      await expect(first).rejects.toMatchObject({ code: 'kg.cancelled' });
      // Long enough for a cancelled fetch to reach the server as a closed connection.
      await new Promise((r) => setTimeout(r, 300));
      expect(server.abandonedQueries).toEqual([]);
      expect(secondSettled).toBe(false);

      b.abort();
      await expect(second).rejects.toMatchObject({ code: 'kg.cancelled' });
      await vi.waitFor(() => expect(server.abandonedQueries).toHaveLength(EXTRACTION_QUERIES));
    } finally {
      server.hangWhen = undefined;
    }
    // A later caller starts a fresh extraction instead of joining the cancelled one.
    const schema = await h.kg.schema(target());
    expect(schema.classes.map((c) => c.iri)).toContain('http://example.org/Person');
  });
});
