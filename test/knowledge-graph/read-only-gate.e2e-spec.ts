import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATUS_BY_KIND } from '../../src/common/errors/domain-error.js';
import type { KgTarget } from '../../src/knowledge-graph/kg-connection.js';
import { StardogWireServer } from '../support/sparql/stardog-wire-server.js';
import { startKg, type KgHarness } from './kg-harness.js';

const REFUSED: [string, string, string][] = [
  ['INSERT DATA', 'INSERT DATA { <http://e/s> <http://e/p> "x" }', 'kg.query_not_read_only'],
  ['DELETE DATA', 'DELETE DATA { <http://e/s> <http://e/p> "x" }', 'kg.query_not_read_only'],
  [
    'DELETE/INSERT WHERE',
    'DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }',
    'kg.query_not_read_only',
  ],
  ['DELETE WHERE', 'DELETE WHERE { ?s ?p ?o }', 'kg.query_not_read_only'],
  ['LOAD', 'LOAD <http://example.org/data.ttl>', 'kg.query_not_read_only'],
  ['CLEAR', 'CLEAR ALL', 'kg.query_not_read_only'],
  ['DROP', 'DROP GRAPH <http://example.org/g>', 'kg.query_not_read_only'],
  ['CREATE', 'CREATE GRAPH <http://example.org/g>', 'kg.query_not_read_only'],
  ['COPY', 'COPY DEFAULT TO <http://example.org/g>', 'kg.query_not_read_only'],
  [
    'query then update',
    'SELECT * WHERE { ?s ?p ?o } ; INSERT DATA { <http://e/s> <http://e/p> 1 }',
    'kg.query_invalid',
  ],
  [
    'SERVICE not allowed',
    'SELECT * WHERE { SERVICE <http://evil.example/sparql> { ?s ?p ?o } }',
    'kg.service_not_allowed',
  ],
  [
    'SERVICE in a subquery',
    'SELECT * WHERE { { SELECT ?s WHERE { SERVICE SILENT <http://evil.example/sparql> { ?s ?p ?o } } } }',
    'kg.service_not_allowed',
  ],
  [
    'SERVICE in FILTER EXISTS',
    'SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://evil.example/sparql> { ?s ?p ?o } } }',
    'kg.service_not_allowed',
  ],
  [
    'SERVICE with a variable',
    'SELECT * WHERE { VALUES ?e { <http://allowed.example/sparql> } SERVICE ?e { ?s ?p ?o } }',
    'kg.service_not_allowed',
  ],
  ['not SPARQL', 'DROP TABLE users', 'kg.query_invalid'],
];

describe('read-only gate: refusals reach no server', () => {
  let server: StardogWireServer;
  let h: KgHarness;
  let target: KgTarget;

  beforeAll(async () => {
    server = await new StardogWireServer({
      users: { u: 'p' },
      databases: { db: '<http://e/s> <http://e/p> "x" .' },
    }).start();
    h = await startKg({
      VOICEBOX_EMBEDDED_DEMO: 'false',
      VOICEBOX_SPARQL_SERVICE_ALLOWLIST: 'http://allowed.example/sparql',
    });
    target = {
      connection: {
        id: 'sd',
        kind: 'stardog',
        endpoint: server.baseUrl,
        credential: { kind: 'basic', username: 'u', password: 'p' },
      },
      database: 'db',
      reasoning: false,
      namedGraphs: [],
    };
  });
  afterAll(async () => {
    await h?.close();
    await server?.stop();
  });

  it.each(REFUSED)('refuses %s with 400 and a reason', async (_name, sparql, code) => {
    const before = server.requests.length;
    const err = await h.kg.query(target, sparql).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'invalid_input', code });
    expect(STATUS_BY_KIND.invalid_input).toBe(400);
    expect((err as Error).message.length).toBeGreaterThan(20);
    // Not even a token request: the gate runs before any I/O.
    expect(server.requests.length).toBe(before);
  });

  it('names the operation of a refused update', async () => {
    await expect(h.kg.query(target, 'LOAD <http://example.org/x>')).rejects.toThrow(/\(LOAD\)/);
    await expect(h.kg.query(target, 'CLEAR ALL')).rejects.toThrow(/\(CLEAR\)/);
  });

  it('lets a SERVICE on the allow-list through, and read-only forms pass', async () => {
    const before = server.queryRequests.length;
    // The wire server's engine cannot federate; what matters is that the query was sent.
    await h.kg
      .query(target, 'SELECT * WHERE { SERVICE <http://allowed.example/sparql> { ?s ?p ?o } }')
      .catch(() => undefined);
    for (const q of [
      'SELECT * WHERE { ?s ?p "INSERT DATA" }',
      'ASK { ?s ?p ?o }',
      'CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }',
      'DESCRIBE <http://e/s>',
    ]) {
      await h.kg.query(target, q);
    }
    expect(server.queryRequests.length).toBe(before + 5);
  });
});
