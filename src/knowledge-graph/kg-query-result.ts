import type { QueryForm } from './sparql-read-only-gate.js';
import type { SparqlBinding } from './stores/sparql-store.js';

interface ResultBase {
  /** The query as sent to the store (with an imposed LIMIT, if one was needed). */
  sparql: string;
  /** Rows (or triples) were cut at VOICEBOX_QUERY_MAX_RESULTS. */
  truncated: boolean;
  elapsedMs: number;
}

/** A query's answer: SPARQL JSON results for SELECT/ASK, RDF text for CONSTRUCT/DESCRIBE. */
export type KgQueryResult =
  | (ResultBase & {
      form: 'SELECT';
      head: { vars: string[] };
      results: { bindings: SparqlBinding[] };
    })
  | (ResultBase & { form: 'ASK'; head: Record<string, never>; boolean: boolean })
  | (ResultBase & {
      form: Extract<QueryForm, 'CONSTRUCT' | 'DESCRIBE'>;
      text: string;
      contentType: string;
    });
