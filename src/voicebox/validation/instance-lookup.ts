/**
 * Asks the graph which of these IRIs it holds (as the subject or object of any triple) and resolves
 * to that subset. The pipeline implements it with one query against the app's store
 * (`instanceLookupQuery`), so a query's instance IRIs cost one round trip however many there are.
 */
export type InstanceLookup = (iris: string[]) => Promise<Set<string>>;

/** Characters IRIREF forbids: an IRI holding one cannot be written between angle brackets. */
const NOT_IN_IRIREF = /[\s<>"{}|^`\\]/;

/**
 * The one SELECT behind an `InstanceLookup`: the IRIs among `iris` that occur in the graph. Its rows
 * bind `?x` to each IRI found. IRIs that cannot be written as an IRIREF are left out (reported missing).
 */
export function instanceLookupQuery(iris: readonly string[]): string {
  const values = iris
    .filter((i) => !NOT_IN_IRIREF.test(i))
    .map((i) => `<${i}>`)
    .join(' ');
  return `SELECT DISTINCT ?x WHERE { VALUES ?x { ${values} } { ?x ?p ?o } UNION { ?s ?p ?x } }`;
}
