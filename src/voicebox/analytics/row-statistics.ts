import type { Cell, ColumnKind, ResultTable } from './result-table.js';

/** Most frequent values (and groups) reported per column. */
const TOP_K = 5;
/** Group sums are given only for category columns with at most this many distinct values. */
const MAX_GROUPS = 25;

export interface ValueCount {
  value: string;
  count: number;
  /** Fraction of the column's filled cells. */
  share: number;
}

export interface GroupTotal {
  value: string;
  sum: number;
  /** Fraction of the measure's total. */
  share: number;
}

export interface ColumnStatistics {
  column: string;
  kind: ColumnKind;
  /** Rows with a value in this column. */
  count: number;
  distinct: number;
  sum?: number;
  mean?: number;
  min?: number | string;
  max?: number | string;
  top?: ValueCount[];
}

/** A number column summed per value of a category column, largest first. */
export interface GroupStatistics {
  by: string;
  measure: string;
  groups: number;
  top: GroupTotal[];
}

export interface RowStatistics {
  rows: number;
  columns: ColumnStatistics[];
  groups: GroupStatistics[];
}

/**
 * Arithmetic over every row of a result, done by the service so that the answer's totals, averages,
 * counts and shares come from here and not from the model's reading of (possibly cut) rows.
 */
export function statisticsOf(table: ResultTable): RowStatistics {
  const columns = table.columns.map((c): ColumnStatistics => {
    const values = table.rows.map((r) => r[c.name]).filter((v): v is string | number => v !== null);
    const s: ColumnStatistics = {
      column: c.name,
      kind: c.kind,
      count: values.length,
      distinct: new Set(values).size,
    };
    if (c.kind === 'number' && values.length) {
      const nums = values as number[];
      const sum = nums.reduce((a, b) => a + b, 0);
      Object.assign(s, {
        sum: tidy(sum),
        mean: tidy(sum / nums.length),
        // reduce, not Math.min(...nums): a spread of 100,000 arguments overflows the stack.
        min: nums.reduce((a, b) => (b < a ? b : a)),
        max: nums.reduce((a, b) => (b > a ? b : a)),
      });
    } else if (c.kind === 'time' && values.length) {
      // ISO dates of one datatype order as text.
      const sorted = (values as string[]).slice().sort();
      Object.assign(s, { min: sorted[0], max: sorted[sorted.length - 1] });
    }
    if (c.kind !== 'number') s.top = topValues(values.map(String));
    return s;
  });
  return { rows: table.rows.length, columns, groups: groupTotals(table, columns) };
}

function topValues(values: string[]): ValueCount[] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, TOP_K)
    .map(([value, count]) => ({ value, count, share: tidy(count / values.length, 4) }));
}

function groupTotals(table: ResultTable, columns: ColumnStatistics[]): GroupStatistics[] {
  const categories = columns.filter(
    (c) => (c.kind === 'text' || c.kind === 'iri') && c.distinct > 1 && c.distinct <= MAX_GROUPS,
  );
  const measures = columns.filter((c) => c.kind === 'number' && c.count > 0);
  const out: GroupStatistics[] = [];
  for (const by of categories) {
    for (const measure of measures) {
      const sums = new Map<string, number>();
      let total = 0;
      for (const row of table.rows) {
        const key: Cell = row[by.column];
        const n = row[measure.column];
        if (key === null || typeof n !== 'number') continue;
        sums.set(String(key), (sums.get(String(key)) ?? 0) + n);
        total += n;
      }
      const top = [...sums]
        .sort((a, b) => b[1] - a[1])
        .slice(0, TOP_K)
        .map(([value, sum]) => ({
          value,
          sum: tidy(sum),
          share: total === 0 ? 0 : tidy(sum / total, 4),
        }));
      out.push({ by: by.column, measure: measure.column, groups: sums.size, top });
    }
  }
  return out;
}

/** Floating-point noise off (0.1 + 0.2 is 0.3 here), at most `digits` decimals when given. */
function tidy(n: number, digits?: number): number {
  const clean = Number(n.toPrecision(12));
  if (digits === undefined) return clean;
  const f = 10 ** digits;
  return Math.round(clean * f) / f;
}

const pct = (share: number) => `${tidy(share * 100, 1)}%`;

/** The statistics as the answer prompt shows them. */
export function statisticsText(s: RowStatistics): string {
  const lines = [`Rows: ${s.rows}`];
  for (const c of s.columns) {
    const parts = [`${c.count} values`, `${c.distinct} distinct`];
    if (c.sum !== undefined) parts.push(`sum ${c.sum}`, `mean ${c.mean}`);
    if (c.min !== undefined) parts.push(`min ${c.min}`, `max ${c.max}`);
    if (c.top?.length && c.distinct < c.count) {
      parts.push(
        `most frequent: ${c.top.map((t) => `"${t.value}" ${t.count} (${pct(t.share)})`).join(', ')}`,
      );
    }
    lines.push(`- ?${c.column} (${c.kind}): ${parts.join(', ')}`);
  }
  for (const g of s.groups) {
    const top = g.top.map((t) => `"${t.value}" ${t.sum} (${pct(t.share)})`).join(', ');
    lines.push(`- sum of ?${g.measure} by ?${g.by} (${g.groups} groups, largest first): ${top}`);
  }
  return lines.join('\n');
}
