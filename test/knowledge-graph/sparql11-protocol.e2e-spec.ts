import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KgCredential, KgTarget } from '../../src/knowledge-graph/kg-connection.js';
import { StardogWireServer } from '../support/sparql/stardog-wire-server.js';
import { startKg, type KgHarness } from './kg-harness.js';

// The wire server's `/{db}/query` is also a plain SPARQL 1.1 query URL that wants a bearer token.
describe('SPARQL 1.1 protocol endpoint by URL: credentials and errors', () => {
  let server: StardogWireServer;
  let h: KgHarness;
  const target = (credential: KgCredential, path = '/db/query'): KgTarget => ({
    connection: { id: 'generic', kind: 'sparql', endpoint: `${server.baseUrl}${path}`, credential },
    reasoning: false,
    namedGraphs: ['http://e/g'],
  });

  beforeAll(async () => {
    server = await new StardogWireServer({
      databases: { db: '<http://e/s> <http://e/p> "x" .' },
      staticTokens: ['stored-token', 'user-token'],
    }).start();
    h = await startKg({ VOICEBOX_EMBEDDED_DEMO: 'false' });
  });
  afterAll(async () => {
    await h?.close();
    await server?.stop();
  });

  it('sends the stored bearer token and the dataset, without Stardog-only fields', async () => {
    const before = server.queryRequests.length;
    await h.kg.query(target({ kind: 'bearer', token: 'stored-token' }), 'ASK { ?s ?p ?o }');
    const req = server.queryRequests[before];
    expect(req.authorization).toBe('Bearer stored-token');
    expect(req.form['default-graph-uri']).toEqual(['http://e/g']);
    expect(req.form.reasoning).toBeUndefined();
    expect(req.form.timeout).toBeUndefined();
  });

  it('X-SD-Auth-Token overrides the stored credential', async () => {
    const before = server.queryRequests.length;
    await h.kg.query(target({ kind: 'bearer', token: 'stored-token' }), 'ASK {}', {
      sdAuthToken: 'user-token',
    });
    expect(server.queryRequests[before].authorization).toBe('Bearer user-token');
  });

  it('sends basic credentials as they are, and maps a refusal to 401', async () => {
    const before = server.queryRequests.length;
    await expect(
      h.kg.query(target({ kind: 'basic', username: 'u', password: 'p' }), 'ASK {}'),
    ).rejects.toMatchObject({ kind: 'unauthenticated', code: 'kg.credential_refused' });
    expect(server.queryRequests[before].authorization).toBe(
      `Basic ${Buffer.from('u:p').toString('base64')}`,
    );
    expect(server.tokenRequests).toHaveLength(0);
  });

  it('a wrong query URL → 404 naming it', async () => {
    await expect(
      h.kg.query(target({ kind: 'bearer', token: 'stored-token' }, '/nope/query'), 'ASK {}'),
    ).rejects.toMatchObject({ kind: 'not_found', code: 'kg.endpoint_not_found' });
  });
});
