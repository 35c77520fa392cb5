import { describe, expect, it } from 'vitest';
import type { KgQueryResult } from '../../knowledge-graph/kg-query-result.js';
import { localName, rowsAnswer, TABLE_ROWS } from './rows-table.js';

const base = { sparql: '', truncated: false, elapsedMs: 1 };
const KAREN = 'http://ld.company.org/prod-instances/empl-Karen.Brant%40company.org';

describe('rowsAnswer', () => {
  it('writes a sentence and a table whose IRIs are links with their labels', () => {
    const result: KgQueryResult = {
      ...base,
      form: 'SELECT',
      head: { vars: ['person', 'name', 'age'] },
      results: {
        bindings: [
          {
            person: { type: 'uri', value: KAREN },
            name: { type: 'literal', value: 'Karen | Brant' },
            age: { type: 'literal', value: '42', datatype: 'http://www.w3.org/2001/XMLSchema#int' },
          },
          { person: { type: 'uri', value: 'http://example.org/p(1)' } },
        ],
      },
    };
    const text = rowsAnswer({
      result,
      labels: new Map([[KAREN, 'Karen [KB] Brant']]),
      storedQuestion: ' Who works here? ',
    });
    expect(text.split('\n')).toEqual([
      'The stored query for “Who works here?” found 2 results:',
      '',
      '| person | name | age |',
      '| --- | --- | --- |',
      `| [Karen \\[KB\\] Brant](${KAREN}) | Karen \\| Brant | 42 |`,
      '| [p(1)](<http://example.org/p(1)>) |  |  |',
    ]);
  });

  it('shows the first rows and counts the rest', () => {
    const bindings = Array.from({ length: TABLE_ROWS + 3 }, (_, i) => ({
      n: { type: 'literal' as const, value: String(i) },
    }));
    const text = rowsAnswer({
      result: {
        ...base,
        truncated: true,
        form: 'SELECT',
        head: { vars: ['n'] },
        results: { bindings },
      },
      labels: new Map(),
      storedQuestion: 'q',
    });
    expect(text).toContain(`found ${TABLE_ROWS + 3} results (cut at the row limit):`);
    expect(text).toContain(`| ${TABLE_ROWS - 1} |`);
    expect(text).not.toContain(`| ${TABLE_ROWS} |`);
    expect(text.endsWith('…and 3 more rows; the query is in the actions.')).toBe(true);
  });

  it('answers ASK with yes or no', () => {
    const text = rowsAnswer({
      result: { ...base, form: 'ASK', head: {}, boolean: false },
      labels: new Map(),
      storedQuestion: 'Is Ms. Brant a manager?',
    });
    expect(text).toBe(
      'No: the stored query for “Is Ms. Brant a manager?” does not hold in the knowledge graph.',
    );
  });

  it('lists CONSTRUCT triples', () => {
    const text = rowsAnswer({
      result: {
        ...base,
        form: 'CONSTRUCT',
        contentType: 'application/n-triples',
        text: `<${KAREN}> <http://www.w3.org/2000/01/rdf-schema#label> "Karen \\"K\\" Brant"@en .\n`,
      },
      labels: new Map(),
      storedQuestion: 'q',
    });
    expect(text).toContain('returned 1 triple:');
    expect(text).toContain(
      `| [empl-Karen.Brant@company.org](${KAREN}) | [label](http://www.w3.org/2000/01/rdf-schema#label) | Karen "K" Brant |`,
    );
  });
});

describe('localName', () => {
  it('decodes the last segment', () => {
    expect(localName(KAREN)).toBe('empl-Karen.Brant@company.org');
    expect(localName('http://example.org/a#b')).toBe('b');
    expect(localName('urn:x:y')).toBe('y');
    expect(localName('http://example.org/')).toBe('example.org');
  });
});
