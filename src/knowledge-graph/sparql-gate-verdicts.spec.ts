import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GateAnalysis } from './sparql-gate-core.js';
import { GateVerdictCache } from './sparql-gate-verdicts.js';
import { IN_PROCESS_MAX_CHARS, SparqlReadOnlyGate } from './sparql-read-only-gate.js';

// The grammar's own parse, which every sparqljs Parser calls: counting it counts parses.
const { Parser } = createRequire(import.meta.url)('sparqljs/lib/SparqlParser.js') as {
  Parser: { prototype: { parse: (text: string) => unknown } };
};

const invalid = (reason: string): GateAnalysis => ({ kind: 'invalid', reason });

describe('GateVerdictCache', () => {
  it('keeps at most its number of texts, dropping the least recently used', () => {
    const cache = new GateVerdictCache(2, 1_000_000);
    cache.set('a', 101, invalid('a'));
    cache.set('b', 101, invalid('b'));
    expect(cache.get('a', 101)).toMatchObject({ reason: 'a' });
    cache.set('c', 101, invalid('c'));
    expect(cache.get('b', 101)).toBeUndefined();
    expect(cache.get('a', 101)).toMatchObject({ reason: 'a' });
    expect(cache.get('c', 101)).toMatchObject({ reason: 'c' });
    expect(cache.size).toBe(2);
  });

  it('keeps at most its number of characters, and never a text larger than all of them', () => {
    const cache = new GateVerdictCache(100, 1_000);
    cache.set('x'.repeat(600), 101, invalid('first'));
    cache.set('y'.repeat(600), 101, invalid('second'));
    expect(cache.get('x'.repeat(600), 101)).toBeUndefined();
    expect(cache.get('y'.repeat(600), 101)).toMatchObject({ reason: 'second' });
    cache.set('z'.repeat(2_000), 101, invalid('huge'));
    expect(cache.get('z'.repeat(2_000), 101)).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('tells the LIMIT caps apart: the same text under another cap is another verdict', () => {
    const cache = new GateVerdictCache();
    cache.set('SELECT * WHERE { ?s ?p ?o }', 101, invalid('cap 101'));
    expect(cache.get('SELECT * WHERE { ?s ?p ?o }', 11)).toBeUndefined();
  });
});

describe('SparqlReadOnlyGate: a text is parsed once', () => {
  afterEach(() => vi.restoreAllMocks());

  const unique = () => `SELECT ?s WHERE { ?s ?p ?o } # ${Math.random()}`;

  it('the validator’s check and the execution check of the same text parse it only once', async () => {
    const parse = vi.spyOn(Parser.prototype, 'parse');
    const gate = new SparqlReadOnlyGate({ serviceAllowlist: [], maxResults: 100 });
    const text = unique();
    const first = gate.check(text);
    const parses = parse.mock.calls.length;
    // The text, then the regenerated text: the checks apply to the second parse.
    expect(parses).toBe(2);
    // Another gate with the same cap (the KnowledgeGraphService's) reuses the verdict.
    const execution = new SparqlReadOnlyGate({ serviceAllowlist: [], maxResults: 100 });
    expect(await execution.checkBounded(text)).toEqual(first);
    expect(parse.mock.calls.length).toBe(parses);
  });

  it('a caller that has just parsed the text hands the tree over: one parse, of the regenerated text', () => {
    const gate = new SparqlReadOnlyGate({ serviceAllowlist: [], maxResults: 100 });
    const text = unique();
    const tree = new (
      createRequire(import.meta.url)('sparqljs') as typeof import('sparqljs')
    ).Parser().parse(text);
    const before = JSON.stringify(tree);
    const parse = vi.spyOn(Parser.prototype, 'parse');
    expect(gate.check(text, tree)).toMatchObject({
      form: 'SELECT',
      limit: 101,
      limitInjected: true,
    });
    expect(parse.mock.calls.length).toBe(1);
    // The caller's tree is left as it was (the LIMIT goes on a copy).
    expect(JSON.stringify(tree)).toBe(before);
  });

  it('a remembered verdict still meets each gate’s own policy (the SERVICE allow-list)', async () => {
    const text = `SELECT * WHERE { SERVICE <http://ok.example/sparql> { ?s ?p ?o } } # ${Math.random()}`;
    const open = new SparqlReadOnlyGate({
      serviceAllowlist: ['http://ok.example/sparql'],
      maxResults: 100,
    });
    expect((await open.checkBounded(text)).form).toBe('SELECT');
    const strict = new SparqlReadOnlyGate({ serviceAllowlist: [], maxResults: 100 });
    await expect(strict.checkBounded(text)).rejects.toMatchObject({
      code: 'kg.service_not_allowed',
    });
  });

  it('a refusal is remembered too, and the bounds are checked before any verdict is looked up', async () => {
    const gate = new SparqlReadOnlyGate({ serviceAllowlist: [], maxResults: 100 });
    const update = `INSERT DATA { <http://e/s> <http://e/p> 1 } # ${Math.random()}`;
    await expect(gate.checkBounded(update)).rejects.toMatchObject({
      code: 'kg.query_not_read_only',
    });
    const parse = vi.spyOn(Parser.prototype, 'parse');
    await expect(gate.checkBounded(update)).rejects.toMatchObject({
      code: 'kg.query_not_read_only',
    });
    expect(parse).not.toHaveBeenCalled();
    const deep = 'SELECT * WHERE ' + '{'.repeat(40) + ' ?s ?p ?o ' + '}'.repeat(40);
    await expect(gate.checkBounded(deep)).rejects.toMatchObject({
      code: 'kg.query_invalid',
      details: { bound: 'nesting' },
    });
    expect(parse).not.toHaveBeenCalled();
  });

  it('a short text is parsed on the calling thread; a cancelled caller is refused first', async () => {
    const gate = new SparqlReadOnlyGate({ serviceAllowlist: [], maxResults: 100 });
    const parse = vi.spyOn(Parser.prototype, 'parse');
    const text = unique();
    expect(text.length).toBeLessThanOrEqual(IN_PROCESS_MAX_CHARS);
    await gate.checkBounded(text);
    // Spied here, the parses happened on this thread, not in the worker.
    expect(parse.mock.calls.length).toBe(2);
    const aborted = AbortSignal.abort();
    await expect(gate.checkBounded(unique(), aborted)).rejects.toMatchObject({
      code: 'kg.cancelled',
    });
  });
});
