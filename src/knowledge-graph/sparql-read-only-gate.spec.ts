import { describe, expect, it } from 'vitest';
import { SparqlReadOnlyGate } from './sparql-read-only-gate.js';

const gate = new SparqlReadOnlyGate({
  serviceAllowlist: ['http://ok.example/sparql'],
  maxResults: 100,
});

describe('SparqlReadOnlyGate', () => {
  it('leaves a query with a LIMIT within the cap untouched', () => {
    const q = 'SELECT ?s WHERE { ?s ?p ?o } LIMIT 10';
    expect(gate.check(q)).toEqual({ form: 'SELECT', sparql: q, limit: 10, limitInjected: false });
  });

  it('imposes LIMIT max+1 when there is none, keeping prefixes, ORDER BY and OFFSET', () => {
    const r = gate.check(
      'PREFIX ex: <http://e/>\nSELECT ?s WHERE { ?s ex:p ?o } ORDER BY ?o OFFSET 5',
    );
    expect(r).toMatchObject({ form: 'SELECT', limit: 101, limitInjected: true });
    expect(r.sparql).toMatch(/PREFIX ex: <http:\/\/e\/>/);
    expect(r.sparql).toMatch(/ORDER BY \(?\?o\)?/);
    expect(r.sparql).toMatch(/OFFSET 5/);
    expect(r.sparql).toMatch(/LIMIT 101/);
  });

  it('lowers a LIMIT above the cap, also on CONSTRUCT and DESCRIBE', () => {
    expect(gate.check('SELECT * WHERE { ?s ?p ?o } LIMIT 5000').sparql).toMatch(/LIMIT 101/);
    expect(gate.check('CONSTRUCT WHERE { ?s ?p ?o }')).toMatchObject({
      form: 'CONSTRUCT',
      limit: 101,
    });
    expect(gate.check('DESCRIBE ?s WHERE { ?s ?p ?o }')).toMatchObject({
      form: 'DESCRIBE',
      limit: 101,
    });
  });

  it('does not limit an ASK, nor a subquery', () => {
    expect(gate.check('ASK { ?s ?p ?o }')).toMatchObject({ form: 'ASK', limitInjected: false });
    const r = gate.check('SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 1000 } }');
    expect(r.sparql).toMatch(/LIMIT 1000/);
    expect(r.sparql).toMatch(/LIMIT 101\s*$/);
  });

  it('lets a SERVICE on the allow-list pass and refuses any other', () => {
    expect(
      gate.check('SELECT * WHERE { SERVICE <http://ok.example/sparql> { ?s ?p ?o } }').form,
    ).toBe('SELECT');
    expect(() =>
      gate.check('SELECT * WHERE { SERVICE <http://ok.example/other> { ?s ?p ?o } }'),
    ).toThrow(/not on the allow-list/);
  });

  it('treats update keywords inside literals and IRIs as data', () => {
    expect(gate.check('SELECT * WHERE { ?s ?p "DROP ALL; INSERT DATA {}" }').form).toBe('SELECT');
  });

  it('names every update operation it refuses', () => {
    expect(() => gate.check('CLEAR ALL ; DROP GRAPH <http://g> ; LOAD <http://x>')).toThrow(
      /\(CLEAR, DROP, LOAD\)/,
    );
  });
});
