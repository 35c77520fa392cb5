import type { GraphSchema } from '../../knowledge-graph/schema/graph-schema.js';
import type { SparqlBinding } from '../../knowledge-graph/stores/sparql-store.js';
import type { NameRow } from './label-index.js';
import { contentWords, foldCase, words } from './label-text.js';

/** Stardog's full-text search predicate (Lucene over every literal of a search-enabled database). */
export const TEXT_MATCH = 'tag:stardog:api:property:textMatch';

/** Literals a full-text search may return for one question. */
export const MAX_SEARCH_ROWS = 500;

/**
 * The question's content words as a Lucene query: each word fuzzy (`~`, up to two edits) when long
 * enough for that to mean a typo rather than another word, singular and as written. Only letters
 * and digits reach it, so nothing needs escaping.
 */
export function luceneQuery(question: string): string {
  const terms = new Set<string>();
  for (const w of contentWords(question)) {
    const asWritten = foldCase(w.raw).replace(/[^\p{L}\p{N}]/gu, '');
    for (const t of new Set([asWritten, w.norm])) {
      if (t) terms.add(t.length >= 4 ? `${t}~` : t);
    }
  }
  return [...terms].join(' ');
}

/** The resources whose literals match, with their classes; best matches first. */
export function textSearchQuery(lucene: string, limit = MAX_SEARCH_ROWS): string {
  return `SELECT ?s ?l ?score ?t WHERE {
  (?l ?score) <${TEXT_MATCH}> '${lucene}' .
  ?s ?p ?l FILTER(isIRI(?s))
  OPTIONAL { ?s a ?t }
} ORDER BY DESC(?score) LIMIT ${limit}`;
}

/**
 * A word the search index must know if the database has one: from a class or property label the
 * schema declares. Undefined when the schema has no labels (the probe is then skipped: no search).
 */
export function probeWord(schema: GraphSchema): string | undefined {
  for (const item of [...schema.classes, ...schema.properties]) {
    const word = item.label && words(item.label).find((w) => w.raw.length >= 3);
    if (word) return foldCase(word.raw).replace(/[^\p{L}\p{N}]/gu, '');
  }
  return undefined;
}

export interface SearchHits {
  names: NameRow[];
  types: Map<string, string[]>;
}

export function searchHits(rows: SparqlBinding[]): SearchHits {
  const names: NameRow[] = [];
  const types = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const r of rows) {
    if (!r.s || !r.l) continue;
    const key = `${r.s.value}\u0000${r.l.value}`;
    if (!seen.has(key)) {
      seen.add(key);
      names.push({ iri: r.s.value, text: r.l.value, source: 'label' });
    }
    if (r.t) {
      const list = types.get(r.s.value) ?? [];
      if (!list.includes(r.t.value)) list.push(r.t.value);
      types.set(r.s.value, list);
    }
  }
  return { names, types };
}
