/**
 * The SPARQL the schema extractor sends. Every query carries its own LIMIT: a schema is context for
 * a language model, and a runaway vocabulary must not turn into a runaway query.
 */
const PREFIXES = `PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX sh: <http://www.w3.org/ns/shacl#>
`;

/** Vocabulary of the modelling languages themselves: not part of a graph's own schema. */
const BUILTIN = `FILTER(!STRSTARTS(STR(?x), "http://www.w3.org/1999/02/22-rdf-syntax-ns#")
  && !STRSTARTS(STR(?x), "http://www.w3.org/2000/01/rdf-schema#")
  && !STRSTARTS(STR(?x), "http://www.w3.org/2002/07/owl#")
  && !STRSTARTS(STR(?x), "http://www.w3.org/ns/shacl#"))`;

const label = (v: string, p: string, out: string) =>
  `OPTIONAL { ?${v} ${p} ?${out} FILTER(isLiteral(?${out}) && (LANG(?${out}) = "" || LANGMATCHES(LANG(?${out}), "en"))) }`;

export const MAX_SCHEMA_ITEMS = 5000;

export const CLASSES_QUERY = `${PREFIXES}SELECT ?x (SAMPLE(?l) AS ?label) (SAMPLE(?c) AS ?comment) WHERE {
  { ?x a owl:Class } UNION { ?x a rdfs:Class } UNION { ?x rdfs:subClassOf ?any }
  FILTER(isIRI(?x))
  ${BUILTIN}
  ${label('x', 'rdfs:label', 'l')}
  ${label('x', 'rdfs:comment', 'c')}
} GROUP BY ?x LIMIT ${MAX_SCHEMA_ITEMS}`;

export const SUBCLASS_QUERY = `${PREFIXES}SELECT DISTINCT ?x ?super WHERE {
  ?x rdfs:subClassOf ?super FILTER(isIRI(?x) && isIRI(?super) && ?x != ?super)
} LIMIT ${MAX_SCHEMA_ITEMS * 2}`;

export const PROPERTIES_QUERY = `${PREFIXES}SELECT ?x (SAMPLE(?t) AS ?type) (SAMPLE(?l) AS ?label) (SAMPLE(?c) AS ?comment) WHERE {
  { VALUES ?t { owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty rdf:Property } ?x a ?t }
  UNION { ?x rdfs:domain ?any } UNION { ?x rdfs:range ?any }
  UNION { ?x <http://schema.org/domainIncludes> ?any } UNION { ?x <https://schema.org/domainIncludes> ?any }
  UNION { ?x <http://schema.org/rangeIncludes> ?any } UNION { ?x <https://schema.org/rangeIncludes> ?any }
  FILTER(isIRI(?x))
  ${BUILTIN}
  ${label('x', 'rdfs:label', 'l')}
  ${label('x', 'rdfs:comment', 'c')}
} GROUP BY ?x LIMIT ${MAX_SCHEMA_ITEMS}`;

export const DOMAIN_RANGE_QUERY = `${PREFIXES}SELECT DISTINCT ?x ?rel ?c WHERE {
  VALUES ?rel { rdfs:domain rdfs:range <http://schema.org/domainIncludes> <https://schema.org/domainIncludes>
                <http://schema.org/rangeIncludes> <https://schema.org/rangeIncludes> }
  ?x ?rel ?c FILTER(isIRI(?x) && isIRI(?c))
} LIMIT ${MAX_SCHEMA_ITEMS * 4}`;

export const SHACL_QUERY = `${PREFIXES}SELECT ?shape ?target ?path ?datatype ?class ?min ?max ?name WHERE {
  ?shape a sh:NodeShape FILTER(isIRI(?shape))
  OPTIONAL { ?shape sh:targetClass ?target }
  OPTIONAL {
    ?shape sh:property ?ps . ?ps sh:path ?path FILTER(isIRI(?path))
    OPTIONAL { ?ps sh:datatype ?datatype } OPTIONAL { ?ps sh:class ?class }
    OPTIONAL { ?ps sh:minCount ?min } OPTIONAL { ?ps sh:maxCount ?max } OPTIONAL { ?ps sh:name ?name }
  }
} LIMIT ${MAX_SCHEMA_ITEMS * 4}`;

export const MAX_DATA_CLASSES = 200;

export const DATA_CLASSES_QUERY = `${PREFIXES}SELECT ?class (COUNT(?s) AS ?n) WHERE {
  ?s a ?class FILTER(isIRI(?class))
} GROUP BY ?class ORDER BY DESC(?n) LIMIT ${MAX_DATA_CLASSES}`;

export const DATA_SHAPES_QUERY = `${PREFIXES}SELECT ?class ?p ?vt (COUNT(*) AS ?n) WHERE {
  ?s a ?class ; ?p ?o .
  FILTER(isIRI(?class) && ?p != rdf:type)
  OPTIONAL { ?o a ?oc FILTER(isIRI(?oc)) }
  BIND(IF(isLiteral(?o), STR(DATATYPE(?o)), IF(BOUND(?oc), STR(?oc), IF(isIRI(?o), "IRI", "BlankNode"))) AS ?vt)
} GROUP BY ?class ?p ?vt ORDER BY ?class DESC(?n) LIMIT ${MAX_SCHEMA_ITEMS * 2}`;

/**
 * Subjects that are part of a vocabulary (its classes, properties, ontology headers, shapes) and
 * not data: a graph holding schema.org beside its data "uses" schema:domainIncludes thousands of
 * times, but no question is answered through it.
 */
const DATA_SUBJECT = `FILTER NOT EXISTS {
    VALUES ?meta { rdfs:Class owl:Class rdf:Property owl:ObjectProperty owl:DatatypeProperty
      owl:AnnotationProperty owl:Ontology owl:Restriction sh:NodeShape sh:PropertyShape rdfs:Datatype }
    ?s a ?meta
  }`;

/** Triples per predicate and instances per class, over data subjects: what the data actually uses. */
export const PROPERTY_USAGE_QUERY = `${PREFIXES}SELECT ?p (COUNT(*) AS ?n) WHERE {
  ?s ?p ?o ${DATA_SUBJECT}
} GROUP BY ?p LIMIT ${MAX_SCHEMA_ITEMS}`;

export const CLASS_USAGE_QUERY = `${PREFIXES}SELECT ?class (COUNT(?s) AS ?n) WHERE {
  ?s a ?class FILTER(isIRI(?class)) ${DATA_SUBJECT}
} GROUP BY ?class LIMIT ${MAX_SCHEMA_ITEMS}`;
