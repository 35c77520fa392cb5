import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { goldQuestions } from '../../../test/knowledge-graph/ck25-gold.js';
import { openCk25Store, type Ck25Store } from '../../../test/knowledge-graph/ck25-store.js';
import { SparqlReadOnlyGate } from '../../knowledge-graph/sparql-read-only-gate.js';
import { GraphVocabulary } from './graph-vocabulary.js';
import { instanceLookupQuery, type InstanceLookup } from './instance-lookup.js';
import { SparqlValidator } from './sparql-validator.js';

const PV = 'http://ld.company.org/prod-vocab/';
const PI = 'http://ld.company.org/prod-instances/';

describe('SparqlValidator on the CK25 vocabulary', () => {
  let ck25: Ck25Store;
  let validator: SparqlValidator;
  let lookups: string[][];
  let exists: InstanceLookup;

  beforeAll(async () => {
    ck25 = await openCk25Store();
    validator = new SparqlValidator(GraphVocabulary.fromSchema(await ck25.schema()));
    exists = async (iris) => {
      lookups.push(iris);
      const r = await ck25.query(instanceLookupQuery(iris));
      return new Set(r.results?.bindings.map((b) => b.x.value));
    };
  });
  afterAll(() => ck25?.close());

  const problemsOf = (sparql: string) => validator.validate(sparql).problems;

  it('passes every gold query of the dev questions, instances included', async () => {
    for (const q of goldQuestions()) {
      lookups = [];
      const r = await validator.validateAll(q.sparql, exists);
      expect(r.problems, `question ${q.id}`).toEqual([]);
      expect(r.sparql).toBe(q.sparql);
      expect(lookups.length).toBeLessThanOrEqual(1);
    }
  });

  it('declares forgotten well-known prefixes and the graph namespace a prefix stands for', () => {
    const r = validator.validate(
      'SELECT ?d ?l WHERE { ?e pv:memberOf ?d . ?d rdfs:label ?l . ?e a pv:Employee }',
    );
    expect(r.problems).toEqual([]);
    expect(r.sparql).toContain(`PREFIX pv: <${PV}>`);
    expect(r.sparql).toContain('PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>');
    expect(r.repairs).toHaveLength(2);
  });

  it('infers an unusual prefix from the names used with it (ns1:hasManager → prod-vocab)', () => {
    const r = validator.validate('SELECT ?m WHERE { ?e ns1:hasManager ?m }');
    expect(r.sparql).toContain(`PREFIX ns1: <${PV}>`);
    expect(r.problems).toEqual([]);
  });

  it('maps the undeclared empty prefix to the graph main vocabulary', () => {
    const r = validator.validate('SELECT ?x WHERE { ?x :name "Karen Brant" }');
    expect(r.sparql).toContain(`PREFIX : <${PV}>`);
    expect(r.problems).toEqual([]);
  });

  it('reports a prefix that fits no namespace of the graph', () => {
    expect(problemsOf('SELECT ?x WHERE { ?x zz:foo ?y }')).toEqual([
      expect.objectContaining({ kind: 'unknown_prefix', term: 'zz:' }),
    ]);
  });

  it('names an unknown property and suggests close ones', () => {
    const [p] = problemsOf(`PREFIX pv: <${PV}> SELECT ?m WHERE { ?e pv:hasManger ?m }`);
    expect(p).toMatchObject({ kind: 'unknown_property', term: `${PV}hasManger` });
    expect(p.message).toBe(
      'pv:hasManger is not a property of this graph; did you mean pv:hasManager?',
    );
  });

  it('suggests a property by the words of its comment (worksIn → memberOf, "the department")', () => {
    const [p] = problemsOf(`PREFIX pv: <${PV}> SELECT ?d WHERE { ?e pv:worksInDepartment ?d }`);
    expect(p.kind).toBe('unknown_property');
    expect(p.message).toContain('pv:memberOf');
  });

  it('checks every IRI inside property paths', () => {
    const problems = problemsOf(
      `PREFIX pv: <${PV}> SELECT ?x WHERE { ?e (pv:hasManager|^pv:bossOf)/pv:memberOf* ?x }`,
    );
    expect(problems.map((p) => p.term)).toEqual([`${PV}bossOf`]);
  });

  it('names an unknown class, and a property used as a class', () => {
    const problems = problemsOf(
      `PREFIX pv: <${PV}> SELECT ?x WHERE { ?x a pv:Employe . ?y a pv:memberOf }`,
    );
    expect(problems).toEqual([
      expect.objectContaining({
        kind: 'unknown_class',
        message: 'pv:Employe is not a class of this graph; did you mean pv:Employee?',
      }),
      expect.objectContaining({
        kind: 'unknown_class',
        message: 'pv:memberOf is a property of this graph, not a class.',
      }),
    ]);
  });

  it('accepts standard terms (rdfs:label, skos:prefLabel) but not invented ones (rdfs:name)', () => {
    expect(
      problemsOf('SELECT ?l WHERE { ?x rdfs:label ?l ; skos:prefLabel ?p ; a owl:Thing }'),
    ).toEqual([]);
    const [p] = problemsOf('SELECT ?n WHERE { ?x rdfs:name ?n }');
    expect(p).toMatchObject({
      kind: 'unknown_property',
      term: 'http://www.w3.org/2000/01/rdf-schema#name',
    });
    expect(p.message).toContain('did you mean');
    expect(p.message).toContain(`<${PV}name>`);
  });

  it('rejects IRIs of a vocabulary the graph does not use', () => {
    expect(
      problemsOf('SELECT ?m WHERE { ?p <http://example.org/vocab#manages> ?m }')[0],
    ).toMatchObject({ kind: 'unknown_property', term: 'http://example.org/vocab#manages' });
  });

  it('leaves literal datatypes and cast functions alone', () => {
    expect(
      problemsOf(
        `PREFIX pv: <${PV}> SELECT ?p WHERE { ?p pv:weight_g ?w FILTER(xsd:decimal(?w) > "5"^^xsd:decimal) }`,
      ),
    ).toEqual([]);
  });

  it('refuses updates and SERVICE calls through the read-only gate', () => {
    expect(problemsOf(`INSERT DATA { <${PI}a> <${PV}name> "x" }`)).toEqual([
      expect.objectContaining({ kind: 'not_read_only' }),
    ]);
    expect(
      problemsOf('SELECT * WHERE { SERVICE <http://evil.example/sparql> { ?s ?p ?o } }'),
    ).toEqual([expect.objectContaining({ kind: 'service_not_allowed' })]);
    const allowing = new SparqlValidator(
      GraphVocabulary.fromSchema({
        source: 'data',
        classes: [],
        properties: [],
        shapes: [],
        dataShapes: [],
        extractedAt: '',
      }),
      {
        gate: new SparqlReadOnlyGate({
          serviceAllowlist: ['http://ok.example/sparql'],
          maxResults: 10,
        }),
      },
    );
    expect(
      allowing.validate('SELECT * WHERE { SERVICE <http://ok.example/sparql> { ?s ?p ?o } }')
        .problems,
    ).toEqual([]);
  });

  it('reports an empty or comment-only query, and a syntax error', () => {
    for (const text of ['', '   ', '# just a comment\n# and another']) {
      expect(problemsOf(text)).toEqual([expect.objectContaining({ kind: 'empty' })]);
    }
    const [p] = problemsOf('SELECT ?x WHERE { ?x ?p ');
    expect(p.kind).toBe('syntax');
    expect(p.message).toMatch(/^The query is not valid SPARQL: /);
  });

  it('looks instance IRIs up in one call and reports the missing ones', async () => {
    lookups = [];
    const r = await validator.validateAll(
      `PREFIX pv: <${PV}> SELECT ?d WHERE { <${PI}employee-brant> pv:memberOf ?d . FILTER(?d != <${PI}dept-41622>) }`,
      exists,
    );
    expect(lookups).toHaveLength(1);
    expect(r.problems).toEqual([
      expect.objectContaining({ kind: 'unknown_instance', term: `${PI}employee-brant` }),
    ]);
  });

  it('mends an IRI written with a raw @ where the graph percent-encodes it', async () => {
    const r = await validator.validateAll(
      `SELECT ?m WHERE { <${PI}empl-Heinrich.Hoch@company.org> <${PV}hasManager> ?m }`,
      exists,
    );
    expect(r.problems).toEqual([]);
    expect(r.sparql).toContain(`<${PI}empl-Heinrich.Hoch%40company.org>`);
    expect((await ck25.query(r.sparql)).results?.bindings).toHaveLength(1);
  });

  it('validating and gating a query for execution: one parse per PREFIX repair round, one of the regenerated text', async () => {
    // The grammar's own parse, which every sparqljs Parser calls.
    const { Parser } = createRequire(import.meta.url)('sparqljs/lib/SparqlParser.js') as {
      Parser: { prototype: { parse: (text: string) => unknown } };
    };
    const gate = new SparqlReadOnlyGate({ serviceAllowlist: [], maxResults: 100 });
    const checked = new SparqlValidator(GraphVocabulary.fromSchema(await ck25.schema()), { gate });
    const execution = new SparqlReadOnlyGate({ serviceAllowlist: [], maxResults: 100 });
    const parse = vi.spyOn(Parser.prototype, 'parse');
    try {
      lookups = [];
      // A new text (the comment), with an instance to look up.
      const r = await checked.validateAll(
        `# ${Math.random()}\nSELECT ?d WHERE { <${PI}empl-Karen.Brant%40company.org> pv:memberOf ?d }`,
        (iris) => Promise.resolve(new Set(iris)),
      );
      expect(r.problems).toEqual([]);
      expect(r.repairs).toHaveLength(1);
      const before = parse.mock.calls.length;
      await execution.checkBounded(r.sparql);
      // The undeclared pv: costs one more parse (the repair); the execution gate parses nothing.
      expect(parse.mock.calls.length).toBe(before);
      expect(before).toBe(3);
    } finally {
      parse.mockRestore();
    }
  });
});
