import { describe, expect, it } from 'vitest';
import { tableOf } from './result-table.js';
import { statisticsOf, statisticsText } from './row-statistics.js';

const XSD = 'http://www.w3.org/2001/XMLSchema#';
const lit = (value: string, datatype?: string) => ({ type: 'literal' as const, value, datatype });
const uri = (value: string) => ({ type: 'uri' as const, value });

describe('result table', () => {
  it('types a column by all its values: numbers, times, IRIs, and text when they disagree', () => {
    const t = tableOf(
      ['n', 'plain', 'd', 'who', 'mixed'],
      [
        {
          n: lit('2', XSD + 'integer'),
          plain: lit('1.5'),
          d: lit('2024-01-01', XSD + 'date'),
          who: uri('urn:a'),
          mixed: lit('x'),
        },
        {
          n: lit('3.25', XSD + 'decimal'),
          plain: lit('-2'),
          d: lit('2024-02-01', XSD + 'date'),
          who: uri('urn:b'),
          mixed: lit('4', XSD + 'integer'),
        },
        { plain: lit('1e3') },
      ],
    );
    expect(t.columns.map((c) => c.kind)).toEqual(['number', 'number', 'time', 'iri', 'text']);
    expect(t.rows[0].n).toBe(2);
    expect(t.rows[2].n).toBeNull();
    expect(t.rows[2].plain).toBe(1000);
    expect(t.rows[1].mixed).toBe('4');
  });
});

describe('row statistics', () => {
  // 1,000 rows: more than any prompt shows.
  const bindings = Array.from({ length: 1000 }, (_, i) => ({
    item: uri(`urn:item:${i}`),
    kind: lit(i % 4 === 0 ? 'screw' : 'nut'),
    price: lit(((i % 10) / 10).toFixed(1), XSD + 'decimal'),
  }));
  const stats = statisticsOf(tableOf(['item', 'kind', 'price'], bindings));
  const col = (name: string) => stats.columns.find((c) => c.column === name)!;

  it('counts, sums and averages every row, without floating-point noise', () => {
    expect(stats.rows).toBe(1000);
    // 100 × (0.0 + 0.1 + … + 0.9) = 450, exactly.
    expect(col('price')).toMatchObject({
      count: 1000,
      distinct: 10,
      sum: 450,
      mean: 0.45,
      min: 0,
      max: 0.9,
    });
    expect(col('item').distinct).toBe(1000);
  });

  it('gives the most frequent values with their shares, and sums per category with shares of the total', () => {
    expect(col('kind').top).toEqual([
      { value: 'nut', count: 750, share: 0.75 },
      { value: 'screw', count: 250, share: 0.25 },
    ]);
    const byKind = stats.groups.find((g) => g.by === 'kind' && g.measure === 'price')!;
    // screw rows are i ≡ 0 (mod 4): prices 0.0, 0.4, 0.8, 0.2, 0.6 repeating → 50 × 2.0 = 100.
    expect(byKind.top).toEqual([
      { value: 'nut', sum: 350, share: 0.7778 },
      { value: 'screw', sum: 100, share: 0.2222 },
    ]);
    // 1,000 distinct items are too many groups to be useful.
    expect(stats.groups.some((g) => g.by === 'item')).toBe(false);
  });

  it('renders the figures for the prompt', () => {
    const text = statisticsText(stats);
    expect(text).toContain('Rows: 1000');
    expect(text).toContain(
      '?price (number): 1000 values, 10 distinct, sum 450, mean 0.45, min 0, max 0.9',
    );
    expect(text).toContain('sum of ?price by ?kind (2 groups, largest first): "nut" 350 (77.8%)');
  });

  it('finds the earliest and latest of a time column', () => {
    const s = statisticsOf(
      tableOf(
        ['d'],
        ['2024-03-01', '2023-12-31', '2024-01-15'].map((v) => ({ d: lit(v, XSD + 'date') })),
      ),
    );
    expect(s.columns[0]).toMatchObject({ kind: 'time', min: '2023-12-31', max: '2024-03-01' });
  });
});
