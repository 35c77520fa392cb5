import type { GraphSchema } from '../../knowledge-graph/schema/graph-schema.js';
import type { SparqlBinding } from '../../knowledge-graph/stores/sparql-store.js';
import { localName } from './label-text.js';
import type { NameRow } from './label-index.js';

/** Properties that hold what a resource is called, in every graph that uses them. */
export const LABEL_PROPERTIES = [
  'http://www.w3.org/2000/01/rdf-schema#label',
  'http://www.w3.org/2004/02/skos/core#prefLabel',
  'http://www.w3.org/2004/02/skos/core#altLabel',
  'http://www.w3.org/2004/02/skos/core#hiddenLabel',
  'http://xmlns.com/foaf/0.1/name',
  'http://xmlns.com/foaf/0.1/nick',
  'http://schema.org/name',
  'https://schema.org/name',
  'http://schema.org/alternateName',
  'https://schema.org/alternateName',
  'http://purl.org/dc/terms/title',
  'http://purl.org/dc/elements/1.1/title',
];

/** Well-known identifier properties (codes, notations) beside a graph's own. */
const IDENTIFIER_PROPERTIES = [
  'http://www.w3.org/2004/02/skos/core#notation',
  'http://purl.org/dc/terms/identifier',
  'http://purl.org/dc/elements/1.1/identifier',
  'http://schema.org/identifier',
  'https://schema.org/identifier',
  'http://schema.org/sku',
  'https://schema.org/sku',
];

/**
 * A graph's own property that acts as a name or identifier, judged by its local name or label:
 * `pv:name`, `ex:productCode`, `ex:employeeId`, `ex:title`. Free text (comments, descriptions)
 * and numbers are not names.
 */
const NAME_LIKE =
  /(^|[^a-z])(name|names|label|title|alias|nickname|nick|code|id|identifier|sku|symbol|acronym|abbreviation|notation)$/i;
const NAME_WORD =
  /\b(name|label|title|alias|nickname|code|id|identifier|sku|symbol|acronym|abbreviation)\b/i;

const LITERAL_KINDS = new Set(['datatype', 'annotation', 'property']);
const XSD_STRING_LIKE = /#(string|normalizedString|token|Name|NCName|NMTOKEN|langString)$/;

/** The properties whose literals name resources in this graph: well-known ones and name-like ones. */
export function nameProperties(schema: GraphSchema): { labels: string[]; names: string[] } {
  const own = new Set<string>();
  for (const p of schema.properties) {
    if (!LITERAL_KINDS.has(p.kind) || LABEL_PROPERTIES.includes(p.iri)) continue;
    if (isNameLike(p.iri, p.label)) own.add(p.iri);
  }
  for (const shape of schema.dataShapes) {
    for (const p of shape.predicates) {
      const literal = p.valueTypes.some((v) => XSD_STRING_LIKE.test(v.type));
      if (literal && !LABEL_PROPERTIES.includes(p.predicate) && isNameLike(p.predicate)) {
        own.add(p.predicate);
      }
    }
  }
  return { labels: LABEL_PROPERTIES, names: [...IDENTIFIER_PROPERTIES, ...own].sort() };
}

function isNameLike(iri: string, label?: string): boolean {
  const local = localName(iri)
    .replace(/(\p{Ll})(\p{Lu})/gu, '$1_$2')
    .replace(/\s+/g, '_');
  return NAME_LIKE.test(local) || (label !== undefined && NAME_WORD.test(label));
}

/** Rows of each grounding query: bounded, so a huge graph costs a bounded index. */
export const MAX_NAME_ROWS = 200_000;
export const MAX_TYPE_ROWS = 200_000;
export const MAX_OBJECT_ROWS = 20_000;
/** Longer literals are descriptions, not names. */
const MAX_NAME_LENGTH = 200;

const iriList = (iris: string[]) => iris.map((i) => `<${i}>`).join(' ');

/** Literals of the name properties, `?s ?p ?o`: one pattern, so stores plan it as one index scan. */
export function namesQuery(props: { labels: string[]; names: string[] }): string {
  return `SELECT ?s ?p ?o WHERE {
  VALUES ?p { ${iriList([...props.labels, ...props.names])} }
  ?s ?p ?o
  FILTER(isIRI(?s) && isLiteral(?o) && STRLEN(STR(?o)) <= ${MAX_NAME_LENGTH})
} LIMIT ${MAX_NAME_ROWS}`;
}

/** Every typed resource with its classes: their IRIs are names too (decoded local names). */
export const TYPES_QUERY = `SELECT ?s ?t WHERE {
  ?s a ?t FILTER(isIRI(?s) && isIRI(?t))
} LIMIT ${MAX_TYPE_ROWS}`;

/** Classes of vocabulary terms, not of data: their members are never what a question names. */
export const META_CLASSES = [
  'http://www.w3.org/2000/01/rdf-schema#Class',
  'http://www.w3.org/2000/01/rdf-schema#Datatype',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns#Property',
  'http://www.w3.org/2002/07/owl#Class',
  'http://www.w3.org/2002/07/owl#ObjectProperty',
  'http://www.w3.org/2002/07/owl#DatatypeProperty',
  'http://www.w3.org/2002/07/owl#AnnotationProperty',
  'http://www.w3.org/2002/07/owl#Ontology',
  'http://www.w3.org/2002/07/owl#Restriction',
  'http://www.w3.org/ns/shacl#NodeShape',
  'http://www.w3.org/ns/shacl#PropertyShape',
];

/**
 * Resources that only appear as values (`dbpedia:United_States` as a supplier's country), untyped
 * and unlabelled in the graph: their IRI is all there is to match. Values of vocabulary terms
 * (a class's provenance link, a property's range) are not data and are left out.
 */
export const OBJECTS_QUERY = `SELECT DISTINCT ?o WHERE {
  ?s ?p ?o FILTER(isIRI(?o) && ?p != <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>)
  FILTER NOT EXISTS { VALUES ?meta { ${iriList(META_CLASSES)} } ?s a ?meta }
} LIMIT ${MAX_OBJECT_ROWS}`;

export function nameRows(rows: SparqlBinding[]): NameRow[] {
  const labels = new Set(LABEL_PROPERTIES);
  return rows
    .filter((r) => r.s && r.o)
    .map((r) => ({
      iri: r.s.value,
      text: r.o.value,
      source: labels.has(r.p?.value) ? 'label' : 'name',
    }));
}

export function typeMap(rows: SparqlBinding[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of rows) {
    if (!r.s || !r.t) continue;
    const list = out.get(r.s.value) ?? [];
    if (!list.includes(r.t.value)) list.push(r.t.value);
    out.set(r.s.value, list);
  }
  return out;
}

/** IRIs of the schema itself: classes and properties are the retriever's, not the linker's. */
export function schemaTerms(schema: GraphSchema): Set<string> {
  const out = new Set<string>();
  for (const c of schema.classes) out.add(c.iri);
  for (const p of schema.properties) out.add(p.iri);
  for (const s of schema.shapes) out.add(s.iri);
  for (const m of META_CLASSES) out.add(m);
  for (const d of schema.dataShapes) {
    out.add(d.class);
    for (const p of d.predicates) out.add(p.predicate);
  }
  return out;
}
