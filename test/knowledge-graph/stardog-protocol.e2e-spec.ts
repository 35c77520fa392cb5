import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { STATUS_BY_KIND } from '../../src/common/errors/domain-error.js';
import type { KgCredential, KgTarget } from '../../src/knowledge-graph/kg-connection.js';
import { StardogWireServer } from '../support/sparql/stardog-wire-server.js';
import { startKg, type KgHarness } from './kg-harness.js';

const PEOPLE = `
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Person a rdfs:Class ; rdfs:label "Person" .
ex:knows rdfs:domain ex:Person ; rdfs:range ex:Person ; rdfs:label "knows" .
ex:alice a ex:Person ; rdfs:label "Alice" ; ex:knows ex:bob .
ex:bob a ex:Person ; rdfs:label "Bob" .
ex:carol a ex:Person ; rdfs:label "Carol" .
ex:dave a ex:Person ; rdfs:label "Dave" .
ex:erin a ex:Person ; rdfs:label "Erin" .
`;
const PEOPLE_QUERY = 'SELECT ?p WHERE { ?p a <http://example.org/Person> }';

describe('Stardog protocol (loopback Stardog wire server)', () => {
  let server: StardogWireServer;
  let h: KgHarness;

  const target = (credential: KgCredential, extra: Partial<KgTarget> = {}): KgTarget => ({
    connection: { id: 'sd', kind: 'stardog', endpoint: server.baseUrl, credential },
    database: 'people',
    reasoning: true,
    namedGraphs: [],
    ...extra,
  });
  const alice: KgCredential = { kind: 'basic', username: 'alice', password: 's3cret-pw' };

  beforeAll(async () => {
    h = await startKg({
      VOICEBOX_EMBEDDED_DEMO: 'false',
      VOICEBOX_QUERY_EXEC_TIMEOUT_SECONDS: '2',
      VOICEBOX_QUERY_MAX_RESULTS: '3',
    });
  });
  afterAll(() => h?.close());

  const fresh = async (opts: ConstructorParameters<typeof StardogWireServer>[0] = {}) => {
    await server?.stop();
    server = await new StardogWireServer({
      users: { alice: 's3cret-pw' },
      databases: { people: PEOPLE },
      staticTokens: ['sso-user-token', 'other-user-token'],
      ...opts,
    }).start();
  };
  afterEach(() => server?.stop());

  it('posts the query form to {endpoint}/{database}/query with a JWT from /admin/token', async () => {
    await fresh();
    const r = await h.kg.query(
      target(alice, { namedGraphs: ['http://example.org/g1', 'http://example.org/g2'] }),
      'ASK { ?s ?p ?o }',
    );
    expect(r.form).toBe('ASK');
    expect(server.tokenRequests).toHaveLength(1);
    expect(server.tokenRequests[0].authorization).toBe(
      `Basic ${Buffer.from('alice:s3cret-pw').toString('base64')}`,
    );
    const q = server.queryRequests[0];
    expect(q.method).toBe('POST');
    expect(q.path).toBe('/people/query');
    expect(q.accept).toContain('application/sparql-results+json');
    expect(q.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    // What the gate parsed, regenerated: never the caller's own text.
    expect(q.form.query).toEqual(['ASK WHERE { ?s ?p ?o. }']);
    expect(q.form.reasoning).toEqual(['true']);
    expect(q.form.timeout).toEqual(['2000']);
    expect(q.form['default-graph-uri']).toEqual(['http://example.org/g1', 'http://example.org/g2']);
    expect(q.form['named-graph-uri']).toEqual(['http://example.org/g1', 'http://example.org/g2']);
  });

  it('reuses the JWT until shortly before its exp, then obtains a new one', async () => {
    await fresh({ tokenLifetimeSeconds: 3600 });
    await h.kg.query(target(alice), PEOPLE_QUERY);
    await h.kg.query(target(alice), PEOPLE_QUERY);
    expect(server.tokenRequests).toHaveLength(1);
    // A token within the renewal margin (30 s) of its exp is not used again.
    await fresh({ tokenLifetimeSeconds: 20 });
    await h.kg.query(target({ ...alice }), PEOPLE_QUERY);
    await h.kg.query(target({ ...alice }), PEOPLE_QUERY);
    expect(server.tokenRequests).toHaveLength(2);
    const [a, b] = server.queryRequests.map((r) => r.authorization);
    expect(a).not.toBe(b);
  });

  it('renews the JWT once when the server refuses it (restart, revocation)', async () => {
    await fresh();
    await h.kg.query(target(alice), PEOPLE_QUERY);
    server.revokeAll();
    const r = await h.kg.query(target(alice), PEOPLE_QUERY);
    expect(r.form).toBe('SELECT');
    expect(server.tokenRequests).toHaveLength(2);
    expect(server.queryRequests.map((x) => x.authorization)).toHaveLength(3);
  });

  it('uses the internal endpoint instead of the public one when set', async () => {
    await fresh();
    const t = target({ kind: 'bearer', token: 'sso-user-token' });
    t.connection = {
      ...t.connection,
      endpoint: 'http://127.0.0.1:9/unused',
      internalEndpoint: server.baseUrl,
    };
    await h.kg.query(t, PEOPLE_QUERY);
    expect(server.queryRequests).toHaveLength(1);
  });

  it('refused password → 401 naming the fix; Stardog message and code go to the log', async () => {
    await fresh();
    const err = await h.kg
      .query(target({ ...alice, password: 'wrong' }), PEOPLE_QUERY)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'unauthenticated', code: 'kg.credential_refused' });
    expect(STATUS_BY_KIND.unauthenticated).toBe(401);
    expect((err as Error).message).toMatch(/re-authenticate the connection/);
    expect((err as Error).message).toMatch(/X-SD-Auth-Token/);
    expect((err as Error).message).not.toContain('wrong');
    expect(h.logs.text).not.toContain('wrong');
  });

  it('X-SD-Auth-Token overrides the stored credential; a refused one names the header', async () => {
    await fresh();
    await h.kg.query(target(alice), PEOPLE_QUERY, { sdAuthToken: 'sso-user-token' });
    expect(server.tokenRequests).toHaveLength(0);
    expect(server.queryRequests[0].authorization).toBe('Bearer sso-user-token');
    const err = await h.kg
      .query(target(alice), PEOPLE_QUERY, { sdAuthToken: 'expired-token' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'unauthenticated', code: 'kg.credential_refused' });
    expect((err as Error).message).toMatch(/X-SD-Auth-Token/);
    expect(h.logs.text).toContain('AuthenticationFailed');
  });

  it('a connection without credential sends no Authorization header', async () => {
    await fresh();
    await expect(h.kg.query(target({ kind: 'none' }), PEOPLE_QUERY)).rejects.toMatchObject({
      kind: 'unauthenticated',
    });
    expect(server.queryRequests[0].authorization).toBeUndefined();
    expect(server.tokenRequests).toHaveLength(0);
  });

  it('SSO connection without X-SD-Auth-Token → 401 before anything is sent', async () => {
    await fresh();
    await expect(h.kg.query(target({ kind: 'sso' }), PEOPLE_QUERY)).rejects.toMatchObject({
      kind: 'unauthenticated',
      code: 'kg.sso_token_missing',
    });
    expect(server.requests).toHaveLength(0);
  });

  it('unknown database → 404, with Stardog {message, code} in the log', async () => {
    await fresh();
    const err = await h.kg
      .query(target(alice, { database: 'nope' }), PEOPLE_QUERY)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'not_found', code: 'kg.database_not_found' });
    expect(STATUS_BY_KIND.not_found).toBe(404);
    const line = h.logs.text.split('\n').find((l) => l.includes("Database 'nope' does not exist."));
    expect(line).toContain('0D0DU2');
  });

  it('unreachable endpoint → 503', async () => {
    await fresh();
    const url = server.baseUrl;
    await server.stop();
    const t = target(alice);
    t.connection = { ...t.connection, endpoint: url };
    await expect(h.kg.query(t, PEOPLE_QUERY)).rejects.toMatchObject({
      kind: 'unavailable',
      code: 'kg.unreachable',
    });
  });

  it("Stardog's own timeout (the `timeout` field) → 504", async () => {
    await fresh();
    server.delayMs = 5000;
    const started = Date.now();
    await expect(h.kg.query(target(alice), PEOPLE_QUERY)).rejects.toMatchObject({
      kind: 'dependency_timeout',
      code: 'kg.timeout',
    });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(STATUS_BY_KIND.dependency_timeout).toBe(504);
  });

  it('a server that ignores the timeout is cut off locally → 504', async () => {
    await fresh();
    server.delayMs = 10_000;
    server.honourTimeout = false;
    const started = Date.now();
    const err = await h.kg.query(target(alice), PEOPLE_QUERY).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'dependency_timeout', code: 'kg.timeout' });
    expect((err as Error).message).toMatch(/within 2 s \(VOICEBOX_QUERY_EXEC_TIMEOUT_SECONDS\)/);
    // Local deadline: the configured 2 s plus a 1 s grace for Stardog's own timeout answer.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('imposes LIMIT max+1 and cuts the rows to VOICEBOX_QUERY_MAX_RESULTS', async () => {
    await fresh();
    const r = await h.kg.query(target(alice), PEOPLE_QUERY);
    expect(server.queryRequests[0].form.query[0]).toMatch(/LIMIT 4\s*$/);
    if (r.form !== 'SELECT') throw new Error('expected SELECT');
    expect(r.results.bindings).toHaveLength(3);
    expect(r.truncated).toBe(true);
    const small = await h.kg.query(target(alice), `${PEOPLE_QUERY} LIMIT 2`);
    expect(server.queryRequests[1].form.query[0]).toMatch(/\nLIMIT 2$/);
    expect(server.queryRequests[1].form.query[0]).toBe(small.sparql);
    expect(small.truncated).toBe(false);
  });

  it("caches a schema per credential: one user's token never serves another", async () => {
    await fresh();
    const t = target({ kind: 'sso' });
    const a1 = await h.kg.schema(t, { sdAuthToken: 'sso-user-token' });
    const afterA = server.queryRequests.length;
    expect(afterA).toBeGreaterThan(0);
    expect(a1.classes.map((c) => c.iri)).toContain('http://example.org/Person');
    expect(a1.properties.find((p) => p.iri === 'http://example.org/knows')?.domains).toEqual([
      'http://example.org/Person',
    ]);
    const a2 = await h.kg.schema(t, { sdAuthToken: 'sso-user-token' });
    expect(a2).toBe(a1);
    expect(server.queryRequests.length).toBe(afterA);
    const b = await h.kg.schema(t, { sdAuthToken: 'other-user-token' });
    expect(b).not.toBe(a1);
    const bRequests = server.queryRequests.slice(afterA);
    expect(bRequests.length).toBe(afterA);
    expect(bRequests.every((r) => r.authorization === 'Bearer other-user-token')).toBe(true);
    await expect(h.kg.schema(t, { sdAuthToken: 'expired-token' })).rejects.toMatchObject({
      kind: 'unauthenticated',
    });
    const refreshed = await h.kg.schema(t, { sdAuthToken: 'sso-user-token' }, { refresh: true });
    expect(refreshed).not.toBe(a1);
  });
});
