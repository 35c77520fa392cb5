import type { KgConnectionKind, KgRequestContext, KgTarget } from '../kg-connection.js';
import type { QueryForm } from '../sparql-read-only-gate.js';

/** One RDF term of a SPARQL JSON result. */
export interface SparqlTerm {
  type: 'uri' | 'literal' | 'bnode' | 'triple';
  value: string;
  datatype?: string;
  'xml:lang'?: string;
}

export type SparqlBinding = Record<string, SparqlTerm>;

export interface StoreQuery {
  target: KgTarget;
  /** Already through the read-only gate. */
  sparql: string;
  form: QueryForm;
  timeoutMs: number;
  /** Bytes of the server's answer read before it is refused (VOICEBOX_QUERY_MAX_RESPONSE_BYTES). */
  maxResponseBytes: number;
  ctx: KgRequestContext;
}

export type StoreResult =
  | { kind: 'bindings'; vars: string[]; bindings: SparqlBinding[] }
  | { kind: 'boolean'; value: boolean }
  /** CONSTRUCT / DESCRIBE: the graph as text, N-Triples when the server offers it. */
  | { kind: 'graph'; text: string; contentType: string };

/**
 * The port to one kind of knowledge graph server. Implementations speak one protocol each and turn
 * every failure into a DomainError whose kind tells the user what to do.
 */
export abstract class SparqlStore {
  abstract readonly kind: KgConnectionKind;
  abstract execute(query: StoreQuery): Promise<StoreResult>;
}

export const ACCEPT_BY_FORM: Record<QueryForm, string> = {
  SELECT: 'application/sparql-results+json',
  ASK: 'application/sparql-results+json',
  CONSTRUCT: 'application/n-triples, text/plain;q=0.9, text/turtle;q=0.5',
  DESCRIBE: 'application/n-triples, text/plain;q=0.9, text/turtle;q=0.5',
};
