import type { SparqlBinding, SparqlTerm } from '../../knowledge-graph/stores/sparql-store.js';

/** What a column holds, judged from all its values: the basis of both statistics and charts. */
export type ColumnKind = 'number' | 'time' | 'iri' | 'text';

export interface TableColumn {
  name: string;
  kind: ColumnKind;
}

export type Cell = string | number | null;

/** SELECT results as plain columns and rows: numbers as numbers, everything else as its text. */
export interface ResultTable {
  columns: TableColumn[];
  rows: Array<Record<string, Cell>>;
}

const XSD = 'http://www.w3.org/2001/XMLSchema#';
const NUMERIC = new Set(
  [
    'integer',
    'decimal',
    'double',
    'float',
    'int',
    'long',
    'short',
    'byte',
    'nonNegativeInteger',
    'nonPositiveInteger',
    'positiveInteger',
    'negativeInteger',
    'unsignedInt',
    'unsignedLong',
    'unsignedShort',
    'unsignedByte',
  ].map((t) => XSD + t),
);
const TEMPORAL = new Set(
  ['date', 'dateTime', 'dateTimeStamp', 'gYear', 'gYearMonth'].map((t) => XSD + t),
);
// Some stores send counts and amounts as plain literals.
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function kindOf(term: SparqlTerm): ColumnKind {
  if (term.type === 'uri') return 'iri';
  if (term.type !== 'literal') return 'text';
  if (term.datatype && NUMERIC.has(term.datatype)) return 'number';
  if (term.datatype && TEMPORAL.has(term.datatype)) return 'time';
  if (!term.datatype && !term['xml:lang'] && PLAIN_NUMBER.test(term.value.trim())) return 'number';
  return 'text';
}

/** A column is a number (or time, or IRI) column only if every value in it is one. */
export function tableOf(vars: string[], bindings: SparqlBinding[]): ResultTable {
  const columns = vars.map((name) => {
    let kind: ColumnKind | undefined;
    for (const b of bindings) {
      const term = b[name];
      if (!term) continue;
      const k = kindOf(term);
      if (kind === undefined) kind = k;
      else if (kind !== k) {
        kind = 'text';
        break;
      }
    }
    return { name, kind: kind ?? 'text' };
  });
  const rows = bindings.map((b) => {
    const row: Record<string, Cell> = {};
    for (const c of columns) {
      const term = b[c.name];
      if (!term) row[c.name] = null;
      else if (c.kind === 'number') {
        const n = Number(term.value);
        row[c.name] = Number.isFinite(n) ? n : null;
      } else row[c.name] = term.value;
    }
    return row;
  });
  return { columns, rows };
}
