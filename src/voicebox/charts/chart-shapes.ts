import type { TopLevelSpec } from 'vega-lite';
import type { ResultTable, TableColumn } from '../analytics/result-table.js';

export type ChartKind = 'bar' | 'line' | 'point';

export interface ChartProposal {
  kind: ChartKind;
  spec: TopLevelSpec;
}

/** More rows than a chart can show legibly (and than an answer should carry inline): no chart. */
export const CHART_MAX_ROWS = 5000;
/** A bar chart of more categories than this is unreadable; two numbers then make a scatter plot. */
export const BAR_MAX_CATEGORIES = 50;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/**
 * A chart chosen from the rows' shape, the spec written by the service from the column names and
 * kinds alone (no text from the model goes into it): a time and a number make a line, a category
 * and a number a bar, two numbers a scatter plot. Other shapes get no chart.
 */
export function chartFor(table: ResultTable, title?: string): ChartProposal | null {
  const n = table.rows.length;
  if (n < 2 || n > CHART_MAX_ROWS) return null;
  const of = (kind: TableColumn['kind']) => table.columns.filter((c) => c.kind === kind);
  const numbers = of('number');
  if (numbers.length === 0) return null;
  const [measure] = numbers;
  const time = of('time')[0];
  // A label reads better than an IRI; the IRI column serves when there is no label.
  const category = [...of('text'), ...of('iri')].find(
    (c) => distinct(table, c.name) <= BAR_MAX_CATEGORIES,
  );
  if (time)
    return proposal('line', table, title, [time, measure], {
      x: { field: time.name, type: 'temporal', title: time.name },
      y: { field: measure.name, type: 'quantitative', title: measure.name },
    });
  if (category)
    return proposal('bar', table, title, [category, measure], {
      x: { field: category.name, type: 'nominal', title: category.name, sort: '-y' },
      y: { field: measure.name, type: 'quantitative', aggregate: 'sum', title: measure.name },
    });
  if (numbers.length >= 2) {
    const labels = [...of('text'), ...of('iri')].slice(0, 1);
    return proposal('point', table, title, [numbers[0], numbers[1], ...labels], {
      x: { field: numbers[0].name, type: 'quantitative', title: numbers[0].name },
      y: { field: numbers[1].name, type: 'quantitative', title: numbers[1].name },
      ...(labels.length ? { tooltip: [labels[0], numbers[0], numbers[1]].map(tooltipOf) } : {}),
    });
  }
  return null;
}

function proposal(
  kind: ChartKind,
  table: ResultTable,
  title: string | undefined,
  used: TableColumn[],
  encoding: Record<string, unknown>,
): ChartProposal {
  const names = used.map((c) => c.name);
  const values = table.rows.map((r) => Object.fromEntries(names.map((k) => [k, r[k]])));
  const spec = {
    $schema: SCHEMA,
    ...(title ? { title } : {}),
    width: 'container',
    data: { values },
    mark: { type: kind, tooltip: kind !== 'point' },
    encoding,
  } as TopLevelSpec;
  return { kind, spec };
}

function tooltipOf(c: TableColumn) {
  return { field: c.name, type: c.kind === 'number' ? 'quantitative' : 'nominal' };
}

function distinct(table: ResultTable, column: string): number {
  return new Set(table.rows.map((r) => r[column])).size;
}
