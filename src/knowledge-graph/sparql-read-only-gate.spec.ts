import { describe, expect, it } from 'vitest';
import { DomainError } from '../common/errors/domain-error.js';
import { SparqlReadOnlyGate } from './sparql-read-only-gate.js';
import { MAX_QUERY_BYTES } from './sparql-query-bounds.js';

const gate = new SparqlReadOnlyGate({
  serviceAllowlist: ['http://ok.example/sparql'],
  maxResults: 100,
});

describe('SparqlReadOnlyGate', () => {
  it('keeps a LIMIT within the cap, sending the text it regenerated from the parse', () => {
    const q = 'SELECT ?s WHERE { ?s ?p ?o } # a comment\nLIMIT 10';
    expect(gate.check(q)).toEqual({
      form: 'SELECT',
      sparql: 'SELECT ?s WHERE { ?s ?p ?o. }\nLIMIT 10',
      limit: 10,
      limitInjected: false,
    });
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

  it('refuses over-deep nesting before parsing, at once', () => {
    for (const q of [
      // 12 KB of nested groups: over a minute of parsing, then a stack overflow, before the bound.
      'SELECT * WHERE ' + '{'.repeat(6000) + ' ?s ?p ?o ' + '}'.repeat(6000),
      // 20 KB of parentheses: over 100 s of parsing before the bound.
      'SELECT * WHERE { ?s ?p ?o FILTER(' + '('.repeat(10_000) + '1' + ')'.repeat(10_000) + ') }',
    ]) {
      const started = performance.now();
      const err = refusal(() => gate.check(q));
      expect(performance.now() - started).toBeLessThan(500);
      expect(err).toMatchObject({ code: 'kg.query_invalid', details: { bound: 'nesting' } });
      expect(err.message).toMatch(/more than 32 deep/);
    }
  });

  it('counts nesting outside literals, IRIs and comments only; 32 levels pass', () => {
    const braces = '{'.repeat(40);
    const q = `SELECT * WHERE { ?s ?p "${braces}" . ?s ?p '''${braces}''' . ?s <urn:x:(((((((((((((((((((((((((((((((((> ?o } # ${braces}`;
    expect(gate.check(q).form).toBe('SELECT');
    const deep = 'SELECT * WHERE ' + '{'.repeat(31) + ' ?s ?p ?o ' + '}'.repeat(31);
    expect(gate.check(deep).form).toBe('SELECT');
    expect(
      refusal(() => gate.check('SELECT * WHERE ' + '{'.repeat(33) + '}'.repeat(33))).code,
    ).toBe('kg.query_invalid');
  });

  it('refuses a text over 64 KiB before parsing', () => {
    const q = `SELECT * WHERE { ?s ?p "${'x'.repeat(MAX_QUERY_BYTES)}" }`;
    expect(refusal(() => gate.check(q))).toMatchObject({
      code: 'kg.query_invalid',
      details: { bound: 'size', limit: 65536 },
    });
  });

  it('a stack overflow while regenerating is a refusal, not a crash', () => {
    // 15,000 additions: flat text, within the bounds, but a tree deeper than the generator's stack.
    const q = `SELECT * WHERE { ?s ?p ?o FILTER(${'1+'.repeat(15_000)}1) }`;
    const err = refusal(() => gate.check(q));
    expect(err).toMatchObject({ code: 'kg.query_invalid' });
    expect(err.message).toMatch(/too deeply nested/);
  });

  it('refuses an empty or comment-only text instead of limiting nothing', () => {
    for (const q of ['', '   \n', '# only a comment', 'PREFIX ex: <http://e/>\n# nothing else']) {
      const err = refusal(() => gate.check(q));
      expect(err.code, JSON.stringify(q)).toBe('kg.query_invalid');
      expect(err.message).toMatch(/There is no SPARQL query/);
    }
  });

  it('sends the regenerated text: a \\u escape cannot smuggle another query past the gate', () => {
    // A server expanding \u before parsing would read: "x" } ; DROP ALL ; #"
    const r = gate.check('SELECT * WHERE { ?s ?p "x\\u0022 } ; DROP ALL ; #" }');
    expect(r.sparql).not.toMatch(/\\u/);
    expect(r.sparql).toContain('"x\\" } ; DROP ALL ; #"');
    // An escape the regenerated text would still carry is refused.
    expect(refusal(() => gate.check('SELECT * WHERE { ?s ?p "C:\\\\u0022" }')).code).toBe(
      'kg.query_invalid',
    );
  });

  it(
    'off the event loop: the same answers, and a parse past its deadline is refused',
    { timeout: 60_000 },
    async () => {
      expect(await gate.checkOffThread('SELECT ?s WHERE { ?s ?p ?o }')).toMatchObject({
        form: 'SELECT',
        limit: 101,
      });
      await expect(gate.checkOffThread('CLEAR ALL')).rejects.toThrow(/\(CLEAR\)/);
      let unit = '';
      while (unit.length < 20_000) unit += '{ ?s <http://p> ?o FILTER(((?o + 1) * 2) > 3) } UNION ';
      const big = `SELECT * WHERE { ${unit}{ ?s ?p ?o } }`;
      // Seconds of parsing on a busy machine: the event loop keeps turning meanwhile.
      const patient = new SparqlReadOnlyGate({
        serviceAllowlist: [],
        maxResults: 100,
        parseDeadlineMs: 60_000,
      });
      let last = performance.now();
      let maxGap = 0;
      const ticker = setInterval(() => {
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
      }, 5);
      const passed = await patient.checkOffThread(big);
      clearInterval(ticker);
      expect(passed.form).toBe('SELECT');
      expect(maxGap).toBeLessThan(250);
      const hasty = new SparqlReadOnlyGate({
        serviceAllowlist: [],
        maxResults: 100,
        parseDeadlineMs: 1,
      });
      const err = await hasty.checkOffThread(big).catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 'kg.query_invalid',
        details: { reason: 'not parsed within 1 ms' },
      });
      // The worker that was stopped is replaced for the next query.
      expect((await gate.checkOffThread('ASK { ?s ?p ?o }')).form).toBe('ASK');
    },
  );
});

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('not refused');
}
