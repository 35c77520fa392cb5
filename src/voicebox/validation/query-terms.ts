import type { SparqlQuery } from 'sparqljs';

const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';

/** The IRIs a query names, by the role they play in its patterns. */
export interface QueryTerms {
  /** Objects of rdf:type (`a`). */
  classes: Set<string>;
  /** Predicates, including every IRI inside a property path. */
  properties: Set<string>;
  /** Every other IRI in a pattern, VALUES block or expression: the instances the query names. */
  others: Set<string>;
}

interface TermNode {
  termType: string;
  value: string;
}

/**
 * Walks a parsed query (subqueries, OPTIONAL, UNION, FILTER EXISTS, VALUES, BIND included). Left
 * out on purpose: CONSTRUCT templates (they build triples, they match none), FROM and GRAPH and
 * SERVICE names, literal datatypes, and function IRIs such as the `xsd:integer(...)` cast.
 */
export function collectQueryTerms(query: SparqlQuery): QueryTerms {
  const terms: QueryTerms = { classes: new Set(), properties: new Set(), others: new Set() };
  visit(query, terms);
  return terms;
}

function visit(node: unknown, terms: QueryTerms): void {
  if (Array.isArray(node)) {
    for (const item of node) visit(item, terms);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const rec = node as Record<string, unknown>;
  if (isTerm(rec)) {
    if (rec.termType === 'NamedNode') terms.others.add(rec.value);
    else if (rec.termType === 'Quad') visitTriple(rec, terms);
    return;
  }
  if ('subject' in rec && 'predicate' in rec && 'object' in rec) {
    visitTriple(rec, terms);
    return;
  }
  for (const [key, value] of Object.entries(rec)) {
    if (key === 'prefixes' || key === 'template' || key === 'from') continue;
    if (key === 'name' && (rec.type === 'graph' || rec.type === 'service')) continue;
    if (key === 'function' && rec.type === 'functionCall') continue;
    visit(value, terms);
  }
}

function visitTriple(triple: Record<string, unknown>, terms: QueryTerms): void {
  visit(triple.subject, terms);
  const predicate = triple.predicate as Record<string, unknown>;
  visitPath(predicate, terms);
  const object = triple.object as Record<string, unknown>;
  if (
    isTerm(predicate) &&
    predicate.termType === 'NamedNode' &&
    predicate.value === RDF_TYPE &&
    isTerm(object) &&
    object.termType === 'NamedNode'
  ) {
    terms.classes.add(object.value);
  } else {
    visit(object, terms);
  }
}

function visitPath(path: Record<string, unknown>, terms: QueryTerms): void {
  if (isTerm(path)) {
    if (path.termType === 'NamedNode') terms.properties.add(path.value);
    return;
  }
  const items = path.items;
  if (Array.isArray(items)) {
    for (const item of items) visitPath(item as Record<string, unknown>, terms);
  }
}

function isTerm(rec: Record<string, unknown>): rec is Record<string, unknown> & TermNode {
  return typeof rec.termType === 'string';
}
