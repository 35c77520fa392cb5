import type { KgQueryResult } from '../../knowledge-graph/kg-query-result.js';
import type { SparqlTerm } from '../../knowledge-graph/stores/sparql-store.js';

/** Rows the table shows; the rest are counted below it (the query is in the actions). */
export const TABLE_ROWS = 50;
/** Characters of one literal cell. */
const CELL_CHARS = 200;

export interface RowsAnswerInput {
  result: KgQueryResult;
  /** IRI → label, for link texts (an IRI without one shows its decoded local name). */
  labels: ReadonlyMap<string, string>;
  /** The stored question whose query was run. */
  storedQuestion: string;
}

/**
 * The answer the service writes itself when no model is configured: one sentence saying where the
 * answer comes from, then the rows as a markdown table whose IRIs are links (the same citation
 * form a model's answer uses: `[label](iri)`). Zero rows never reach here (NO_ROWS_ANSWER).
 */
export function rowsAnswer({ result, labels, storedQuestion }: RowsAnswerInput): string {
  const source = `the stored query for “${storedQuestion.trim()}”`;
  switch (result.form) {
    case 'ASK':
      return `${result.boolean ? 'Yes' : 'No'}: ${source} ${result.boolean ? 'holds' : 'does not hold'} in the knowledge graph.`;
    case 'SELECT': {
      const { vars } = result.head;
      const rows = result.results.bindings.map((b) => vars.map((v) => b[v]));
      return table(
        `${capitalise(source)} found ${plural(rows.length, 'result')}${result.truncated ? ' (cut at the row limit)' : ''}:`,
        vars,
        rows,
        labels,
      );
    }
    case 'CONSTRUCT':
    case 'DESCRIBE': {
      const triples = result.text
        .split('\n')
        .map(parseNTriple)
        .filter((t) => t !== null);
      return table(
        `${capitalise(source)} returned ${plural(triples.length, 'triple')}${result.truncated ? ' (cut at the row limit)' : ''}:`,
        ['subject', 'predicate', 'object'],
        triples,
        labels,
      );
    }
  }
}

function table(
  sentence: string,
  header: string[],
  rows: Array<Array<SparqlTerm | undefined>>,
  labels: ReadonlyMap<string, string>,
): string {
  const lines = [
    sentence,
    '',
    `| ${header.map(escapeCell).join(' | ')} |`,
    `|${header.map(() => ' --- ').join('|')}|`,
    ...rows.slice(0, TABLE_ROWS).map((r) => `| ${r.map((t) => cell(t, labels)).join(' | ')} |`),
  ];
  if (rows.length > TABLE_ROWS) {
    lines.push(
      '',
      `…and ${plural(rows.length - TABLE_ROWS, 'more row')}; the query is in the actions.`,
    );
  }
  return lines.join('\n');
}

function cell(t: SparqlTerm | undefined, labels: ReadonlyMap<string, string>): string {
  if (!t) return '';
  switch (t.type) {
    case 'uri': {
      const text = escapeLinkText(labels.get(t.value) ?? localName(t.value));
      // Angle brackets keep an IRI with parentheses or spaces one link destination.
      const target = /[()\s]/.test(t.value) ? `<${t.value}>` : t.value;
      return `[${text}](${target})`;
    }
    case 'bnode':
      return escapeCell(`_:${t.value}`);
    case 'literal':
    case 'triple': {
      const v = t.value.length > CELL_CHARS ? `${t.value.slice(0, CELL_CHARS)}…` : t.value;
      return escapeCell(v);
    }
  }
}

/** The IRI's last segment, decoded (`empl-Karen.Brant%40company.org` → `empl-Karen.Brant@company.org`). */
export function localName(iri: string): string {
  const tail =
    iri
      .replace(/[#/]+$/, '')
      .split(/[#/:]/)
      .pop() ?? '';
  try {
    return decodeURIComponent(tail) || iri;
  } catch {
    return tail || iri;
  }
}

function escapeCell(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ');
}

function escapeLinkText(s: string): string {
  return escapeCell(s).replace(/[[\]]/g, (c) => `\\${c}`);
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const NTRIPLE = /^\s*(<[^>]*>|_:\S+)\s+<([^>]*)>\s+(.+?)\s*\.\s*$/;

/** One N-Triples line as three terms (null for blank lines, comments and what does not parse). */
function parseNTriple(line: string): SparqlTerm[] | null {
  const m = NTRIPLE.exec(line);
  if (!m) return null;
  return [term(m[1]), { type: 'uri', value: m[2] }, term(m[3])];
}

function term(s: string): SparqlTerm {
  if (s.startsWith('<')) return { type: 'uri', value: s.slice(1, -1) };
  if (s.startsWith('_:')) return { type: 'bnode', value: s.slice(2) };
  const quoted = /^("(?:[^"\\]|\\.)*")/.exec(s)?.[1];
  if (!quoted) return { type: 'literal', value: s };
  try {
    return { type: 'literal', value: JSON.parse(quoted) as string };
  } catch {
    return { type: 'literal', value: quoted.slice(1, -1) };
  }
}
