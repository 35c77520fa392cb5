import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { DEMO_TARGET } from '../../src/knowledge-graph/demo-target.js';
import { EmbeddedStore } from '../../src/knowledge-graph/embedded/embedded-store.js';
import { startKg } from './kg-harness.js';

/** A small graph with no ontology at all: only instances. */
const SHOP = `
@prefix s: <http://shop.example/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
s:o1 a s:Order ; s:total "12.50"^^xsd:decimal ; s:customer s:c1 ; s:placed "2026-01-02"^^xsd:date .
s:o2 a s:Order ; s:total "3.10"^^xsd:decimal ; s:customer s:c2 .
s:o3 a s:Order ; s:total "7"^^xsd:integer ; s:customer s:c1 .
s:c1 a s:Customer ; s:name "Ann" .
s:c2 a s:Customer ; s:name "Bo" ; s:referrer s:somebody .
`;

describe("embedded store with the user's own RDF files", () => {
  let dir: string;
  let file: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vbx-embedded-'));
    file = join(dir, 'shop.ttl');
    writeFileSync(file, SHOP);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const env = () => ({
    VOICEBOX_EMBEDDED_DEMO: 'false',
    VOICEBOX_EMBEDDED_RDF_FILES: file,
    VOICEBOX_EMBEDDED_STORE_PATH: join(dir, 'store'),
  });

  it('loads them, keeps a snapshot on disk, and opens the snapshot on the next start', async () => {
    const first = await startKg(env());
    try {
      const status = await first.app.get(EmbeddedStore).start();
      expect(status).toMatchObject({ triples: 15, from: 'files' });
      expect(existsSync(join(dir, 'store', 'store.nq'))).toBe(true);
      const r = await first.kg.query(
        DEMO_TARGET,
        'SELECT ?n WHERE { ?c <http://shop.example/name> ?n } ORDER BY ?n',
      );
      expect(r.form === 'SELECT' && r.results.bindings.map((b) => b.n.value)).toEqual([
        'Ann',
        'Bo',
      ]);
      // The CK25 demo is off: none of its data.
      const ask = await first.kg.query(
        DEMO_TARGET,
        'ASK { ?e a <http://ld.company.org/prod-vocab/Employee> }',
      );
      expect(ask).toMatchObject({ boolean: false });
    } finally {
      await first.close();
    }
    const second = await startKg(env());
    try {
      expect(await second.app.get(EmbeddedStore).start()).toMatchObject({
        triples: 15,
        from: 'snapshot',
      });
    } finally {
      await second.close();
    }
    // A changed source file invalidates the snapshot.
    writeFileSync(file, `${SHOP}<http://shop.example/o4> a <http://shop.example/Order> .\n`);
    const third = await startKg(env());
    try {
      expect(await third.app.get(EmbeddedStore).start()).toMatchObject({
        triples: 16,
        from: 'files',
      });
    } finally {
      await third.close();
      writeFileSync(file, SHOP);
    }
  });

  it('derives shapes from the data when the graph declares no ontology', async () => {
    const h = await startKg({ VOICEBOX_EMBEDDED_DEMO: 'false', VOICEBOX_EMBEDDED_RDF_FILES: file });
    try {
      const schema = await h.kg.schema(DEMO_TARGET);
      expect(schema.source).toBe('data');
      expect(schema.classes).toEqual([]);
      const order = schema.dataShapes.find((s) => s.class === 'http://shop.example/Order');
      expect(order?.instances).toBe(3);
      const total = order?.predicates.find((p) => p.predicate === 'http://shop.example/total');
      expect(total?.count).toBe(3);
      expect(total?.valueTypes).toEqual(
        expect.arrayContaining([
          { type: 'http://www.w3.org/2001/XMLSchema#decimal', count: 2 },
          { type: 'http://www.w3.org/2001/XMLSchema#integer', count: 1 },
        ]),
      );
      const customer = order?.predicates.find(
        (p) => p.predicate === 'http://shop.example/customer',
      );
      expect(customer?.valueTypes).toEqual([{ type: 'http://shop.example/Customer', count: 3 }]);
      const c = schema.dataShapes.find((s) => s.class === 'http://shop.example/Customer');
      expect(
        c?.predicates.find((p) => p.predicate === 'http://shop.example/referrer')?.valueTypes,
      ).toEqual([{ type: 'IRI', count: 1 }]);
    } finally {
      await h.close();
    }
  });

  it('reads SHACL shapes and schema.org domainIncludes/rangeIncludes when present', async () => {
    const shapes = join(dir, 'shapes.ttl');
    writeFileSync(
      shapes,
      `@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix s: <http://shop.example/> .
       @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
       s:OrderShape a sh:NodeShape ; sh:targetClass s:Order ;
         sh:property [ sh:path s:total ; sh:datatype xsd:decimal ; sh:minCount 1 ; sh:maxCount 1 ] ;
         sh:property [ sh:path s:customer ; sh:class s:Customer ; sh:name "customer" ] .
       s:customer <https://schema.org/domainIncludes> s:Order ;
         <https://schema.org/rangeIncludes> s:Customer, s:Company ;
         <http://www.w3.org/2000/01/rdf-schema#label> "customer"@en .`,
    );
    const h = await startKg({
      VOICEBOX_EMBEDDED_DEMO: 'false',
      VOICEBOX_EMBEDDED_RDF_FILES: `${file},${shapes}`,
    });
    try {
      const schema = await h.kg.schema(DEMO_TARGET);
      expect(schema.source).toBe('ontology');
      expect(schema.properties).toEqual([
        {
          iri: 'http://shop.example/customer',
          kind: 'property',
          label: 'customer',
          comment: undefined,
          domains: ['http://shop.example/Order'],
          ranges: ['http://shop.example/Company', 'http://shop.example/Customer'],
        },
      ]);
      expect(schema.shapes).toHaveLength(1);
      expect(schema.shapes[0].iri).toBe('http://shop.example/OrderShape');
      expect(schema.shapes[0].targetClasses).toEqual(['http://shop.example/Order']);
      expect(schema.shapes[0].properties).toEqual(
        expect.arrayContaining([
          {
            path: 'http://shop.example/total',
            datatype: 'http://www.w3.org/2001/XMLSchema#decimal',
            minCount: 1,
            maxCount: 1,
            class: undefined,
            name: undefined,
          },
          {
            path: 'http://shop.example/customer',
            class: 'http://shop.example/Customer',
            name: 'customer',
            datatype: undefined,
            minCount: undefined,
            maxCount: undefined,
          },
        ]),
      );
    } finally {
      await h.close();
    }
  });

  it("loads TriG into named graphs and restricts a query to the app's named graphs", async () => {
    const trig = join(dir, 'graphs.trig');
    writeFileSync(
      trig,
      `<http://shop.example/g2> { <http://shop.example/o9> a <http://shop.example/Order> . }
       <http://shop.example/g3> { <http://shop.example/o8> a <http://shop.example/Order> . }`,
    );
    const h = await startKg({
      VOICEBOX_EMBEDDED_DEMO: 'false',
      VOICEBOX_EMBEDDED_RDF_FILES: `${file},${trig}`,
    });
    try {
      const q = 'SELECT ?o WHERE { ?o a <http://shop.example/Order> } ORDER BY ?o';
      const orders = async (namedGraphs: string[]) => {
        const r = await h.kg.query({ ...DEMO_TARGET, namedGraphs }, q);
        return r.form === 'SELECT' ? r.results.bindings.map((b) => b.o.value.slice(20)) : [];
      };
      expect(await orders([])).toEqual(['o1', 'o2', 'o3', 'o8', 'o9']);
      expect(await orders(['http://shop.example/g2'])).toEqual(['o9']);
      expect(await orders(['http://shop.example/g2', 'http://shop.example/g3'])).toEqual([
        'o8',
        'o9',
      ]);
    } finally {
      await h.close();
    }
  });

  it('refuses a missing or unknown RDF file at configuration time, naming the variable', () => {
    expect(() => loadConfig({ VOICEBOX_EMBEDDED_RDF_FILES: join(dir, 'missing.ttl') })).toThrow(
      /VOICEBOX_EMBEDDED_RDF_FILES: .*missing\.ttl does not exist/,
    );
    const odd = join(dir, 'data.csv');
    writeFileSync(odd, 'a,b');
    expect(() => loadConfig({ VOICEBOX_EMBEDDED_RDF_FILES: odd })).toThrow(
      /VOICEBOX_EMBEDDED_RDF_FILES: .*data\.csv: unknown RDF extension/,
    );
    expect(() => loadConfig({ VOICEBOX_EMBEDDED_DEMO: 'maybe' })).toThrow(/VOICEBOX_EMBEDDED_DEMO/);
  });
});
