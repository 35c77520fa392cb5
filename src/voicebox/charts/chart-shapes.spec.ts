import { describe, expect, it } from 'vitest';
import type { TopLevelSpec } from 'vega-lite';
import type { ResultTable } from '../analytics/result-table.js';
import { checkCompiles } from './chart-compiler.js';
import { BAR_MAX_CATEGORIES, chartFor } from './chart-shapes.js';

const table = (columns: ResultTable['columns'], rows: ResultTable['rows']): ResultTable => ({
  columns,
  rows,
});

describe('chart from the rows’ shape', () => {
  it('draws a category and a number as a bar chart, the label preferred to the IRI, that compiles', () => {
    const t = table(
      [
        { name: 'dept', kind: 'iri' },
        { name: 'label', kind: 'text' },
        { name: 'staff', kind: 'number' },
      ],
      [
        { dept: 'urn:d1', label: 'Sales', staff: 4 },
        { dept: 'urn:d2', label: 'Marketing', staff: 7 },
      ],
    );
    const chart = chartFor(t)!;
    expect(chart.kind).toBe('bar');
    expect(chart.spec).toMatchObject({
      data: {
        values: [
          { label: 'Sales', staff: 4 },
          { label: 'Marketing', staff: 7 },
        ],
      },
      encoding: { x: { field: 'label', type: 'nominal' }, y: { field: 'staff' } },
    });
    expect(checkCompiles(chart.spec)).toEqual({ ok: true });
  });

  it('draws a time and a number as a line chart', () => {
    const t = table(
      [
        { name: 'month', kind: 'time' },
        { name: 'orders', kind: 'number' },
      ],
      [
        { month: '2024-01-01', orders: 3 },
        { month: '2024-02-01', orders: 5 },
      ],
    );
    const chart = chartFor(t)!;
    expect(chart.kind).toBe('line');
    expect(chart.spec).toMatchObject({ encoding: { x: { field: 'month', type: 'temporal' } } });
    expect(checkCompiles(chart.spec)).toEqual({ ok: true });
  });

  it('draws two numbers as a scatter plot when the categories are too many for bars', () => {
    const rows = Array.from({ length: BAR_MAX_CATEGORIES + 1 }, (_, i) => ({
      item: `urn:hw:${i}`,
      weight: i * 2,
      height: i + 1,
    }));
    const t = table(
      [
        { name: 'item', kind: 'iri' },
        { name: 'weight', kind: 'number' },
        { name: 'height', kind: 'number' },
      ],
      rows,
    );
    const chart = chartFor(t)!;
    expect(chart.kind).toBe('point');
    expect(chart.spec).toMatchObject({
      encoding: { x: { field: 'weight' }, y: { field: 'height' } },
    });
    expect(checkCompiles(chart.spec)).toEqual({ ok: true });
  });

  it('draws nothing for rows without a number, for a single row, or for text alone', () => {
    const names = table([{ name: 'name', kind: 'text' }], [{ name: 'a' }, { name: 'b' }]);
    expect(chartFor(names)).toBeNull();
    const one = table(
      [
        { name: 'name', kind: 'text' },
        { name: 'n', kind: 'number' },
      ],
      [{ name: 'a', n: 1 }],
    );
    expect(chartFor(one)).toBeNull();
  });
});

describe('compile check', () => {
  it('refuses specs Vega-Lite cannot compile', () => {
    const badType = {
      data: { values: [{ a: 1 }] },
      mark: 'bar',
      encoding: { x: { field: 'a', type: 'bogus' } },
    } as unknown as TopLevelSpec;
    expect(checkCompiles(badType)).toMatchObject({ ok: false, problem: /field type/ });
    const badMark = {
      data: { values: [] },
      mark: 'nonsense',
      encoding: {},
    } as unknown as TopLevelSpec;
    expect(checkCompiles(badMark).ok).toBe(false);
  });
});
