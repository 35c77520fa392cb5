/** What the question-answering pipeline learns of a graph's vocabulary. */
export interface SchemaClass {
  iri: string;
  label?: string;
  comment?: string;
  superClasses: string[];
}

export type SchemaPropertyKind = 'object' | 'datatype' | 'annotation' | 'property';

export interface SchemaProperty {
  iri: string;
  kind: SchemaPropertyKind;
  label?: string;
  comment?: string;
  /** rdfs:domain and schema:domainIncludes. */
  domains: string[];
  /** rdfs:range and schema:rangeIncludes. */
  ranges: string[];
}

export interface ShapeProperty {
  path: string;
  datatype?: string;
  class?: string;
  minCount?: number;
  maxCount?: number;
  name?: string;
}

/** A SHACL node shape as declared in the graph. */
export interface SchemaShape {
  iri: string;
  targetClasses: string[];
  properties: ShapeProperty[];
}

/** A shape derived from the data itself: which predicates instances of a class use, with what. */
export interface DataShape {
  class: string;
  instances: number;
  predicates: {
    predicate: string;
    /** Triples with this class of subject and this predicate. */
    count: number;
    /** Datatype IRI, the object's class IRI, or `IRI` / `BlankNode` when untyped. */
    valueTypes: { type: string; count: number }[];
  }[];
}

/** How often the data uses each class (instances) and property (triples); absent when not counted. */
export interface SchemaUsage {
  classes: Record<string, number>;
  properties: Record<string, number>;
}

export interface GraphSchema {
  /** `ontology` when RDFS/OWL/schema.org/SHACL declarations were found, `data` otherwise. */
  source: 'ontology' | 'data';
  classes: SchemaClass[];
  properties: SchemaProperty[];
  shapes: SchemaShape[];
  dataShapes: DataShape[];
  /** Undefined when the store could not count (the counts are a full scan on some stores). */
  usage?: SchemaUsage;
  extractedAt: string;
}
