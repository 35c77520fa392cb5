import type { KgQueryResult } from '../../knowledge-graph/kg-query-result.js';
import { tableOf, type ResultTable } from '../analytics/result-table.js';

/** Rows and characters of results the answer prompt may carry; long results are cut before the model. */
const PROMPT_ROWS = 100;
const PROMPT_CHARS = 12_000;

export interface QueryRows {
  /** SELECT: rows; ASK: 1; CONSTRUCT/DESCRIBE: triples. */
  count: number;
  /** The results as the answer prompt shows them. */
  text: string;
  /** Cut for the prompt, or cut by the store's row cap. */
  truncated: boolean;
  /** Every IRI in the results: the only ones (with the linked entities) an answer may link to. */
  iris: Set<string>;
  /** SELECT: every row, typed by column (for statistics and charts). */
  table?: ResultTable;
  /** The store's answer itself: the service writes its own answer from it when no model is configured. */
  result: KgQueryResult;
}

export function rowsOf(result: KgQueryResult): QueryRows {
  switch (result.form) {
    case 'ASK':
      return {
        count: 1,
        text: `ASK result: ${result.boolean}`,
        truncated: false,
        iris: new Set(),
        result,
      };
    case 'SELECT': {
      const { bindings } = result.results;
      const iris = new Set<string>();
      for (const b of bindings)
        for (const t of Object.values(b)) if (t.type === 'uri') iris.add(t.value);
      const lines = [result.head.vars.map((v) => `?${v}`).join(' | ')];
      for (const b of bindings.slice(0, PROMPT_ROWS)) {
        lines.push(
          result.head.vars
            .map((v) => {
              const t = b[v];
              if (!t) return '';
              return t.type === 'uri' ? `<${t.value}>` : t.value;
            })
            .join(' | '),
        );
      }
      const { text, cut } = cap(lines.join('\n'));
      return {
        count: bindings.length,
        text,
        truncated: result.truncated || cut || bindings.length > PROMPT_ROWS,
        iris,
        table: tableOf(result.head.vars, bindings),
        result,
      };
    }
    case 'CONSTRUCT':
    case 'DESCRIBE': {
      const lines = result.text.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
      const iris = new Set([...result.text.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]));
      const { text, cut } = cap(lines.slice(0, PROMPT_ROWS).join('\n'));
      return {
        count: lines.length,
        text,
        truncated: result.truncated || cut || lines.length > PROMPT_ROWS,
        iris,
        result,
      };
    }
  }
}

function cap(text: string): { text: string; cut: boolean } {
  if (text.length <= PROMPT_CHARS) return { text, cut: false };
  return { text: text.slice(0, text.lastIndexOf('\n', PROMPT_CHARS)), cut: true };
}
