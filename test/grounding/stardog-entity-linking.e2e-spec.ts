import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KgTarget } from '../../src/knowledge-graph/kg-connection.js';
import { EntityLinker } from '../../src/voicebox/grounding/entity-linker.js';
import { startKg, type KgHarness } from '../knowledge-graph/kg-harness.js';
import { StardogWireServer } from '../support/sparql/stardog-wire-server.js';

const STAFF = `
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Employee a rdfs:Class ; rdfs:label "Employee" .
ex:worksIn rdfs:domain ex:Employee ; rdfs:range ex:Department ; rdfs:label "works in" .
ex:Department a rdfs:Class ; rdfs:label "Department" .
<http://example.org/people/Karen.Brant%40example.org> a ex:Employee ; rdfs:label "Karen Brant" ;
  ex:worksIn ex:sales .
<http://example.org/people/Sven.Sandberg%40example.org> a ex:Employee ; rdfs:label "Sven Sandberg" .
ex:sales a ex:Department ; rdfs:label "Sales and Marketing" .
`;
const KAREN = 'http://example.org/people/Karen.Brant%40example.org';

describe('Entity linking on Stardog (loopback Stardog wire server)', () => {
  let server: StardogWireServer;
  let h: KgHarness;
  let linker: EntityLinker;

  const target = (database: string): KgTarget => ({
    connection: {
      id: `sd-${database}`,
      kind: 'stardog',
      endpoint: server.baseUrl,
      credential: { kind: 'basic', username: 'alice', password: 's3cret-pw' },
    },
    database,
    reasoning: false,
    namedGraphs: [],
  });
  const link = (database: string, question: string) =>
    linker.link({ question, target: target(database), ctx: {}, limit: 3 });
  const queriesTo = (db: string) =>
    server.queryRequests.filter((r) => r.path === `/${db}/query`).map((r) => r.form.query[0]);

  beforeAll(async () => {
    server = await new StardogWireServer({
      users: { alice: 's3cret-pw' },
      databases: { searchable: STAFF, plain: STAFF },
      searchDatabases: ['searchable'],
    }).start();
    h = await startKg({ VOICEBOX_EMBEDDED_DEMO: 'false' });
    linker = h.app.get(EntityLinker);
  });
  afterAll(async () => {
    await h?.close();
    await server?.stop();
  });

  it('uses the database’s full-text search when it has one, and builds no index', async () => {
    const found = await link('searchable', 'Which department is Ms. Brandt in?');
    expect(found[0]).toMatchObject({
      iri: KAREN,
      label: 'Karen Brant',
      types: ['http://example.org/Employee'],
    });
    const sent = queriesTo('searchable');
    const searches = sent.filter((q) => q.includes('tag:stardog:api:property:textMatch'));
    // The probe, then the question's own search with its words made fuzzy.
    expect(searches).toHaveLength(2);
    expect(searches[1]).toContain("'department~ brandt~'");
    expect(sent.some((q) => q.includes('rdf-schema#label>'))).toBe(false);

    // A second question searches again: nothing is cached but the probe's answer.
    await link('searchable', 'Sven Sandberg');
    expect(queriesTo('searchable').filter((q) => q.includes('textMatch'))).toHaveLength(3);
  });

  it('falls back to a label index on a database without search', async () => {
    const found = await link('plain', 'Which department is Ms. Brandt in?');
    expect(found[0].iri).toBe(KAREN);
    const sent = queriesTo('plain');
    expect(sent.filter((q) => q.includes('textMatch'))).toHaveLength(1);
    expect(sent.some((q) => q.includes('rdf-schema#label>'))).toBe(true);
    const before = sent.length;
    expect((await link('plain', 'sales & marketing'))[0].iri).toBe('http://example.org/sales');
    expect(queriesTo('plain')).toHaveLength(before);
  });
});
