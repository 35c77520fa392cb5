import type { SparqlBinding } from '../stores/sparql-store.js';
import type {
  DataShape,
  GraphSchema,
  SchemaClass,
  SchemaProperty,
  SchemaPropertyKind,
  SchemaShape,
  SchemaUsage,
} from './graph-schema.js';
import {
  CLASSES_QUERY,
  DATA_CLASSES_QUERY,
  DATA_SHAPES_QUERY,
  DOMAIN_RANGE_QUERY,
  PROPERTIES_QUERY,
  SHACL_QUERY,
  SUBCLASS_QUERY,
  MAX_DATA_CLASSES,
  CLASS_USAGE_QUERY,
  PROPERTY_USAGE_QUERY,
} from './schema-queries.js';

/** Runs one SELECT and returns its rows. */
export type SelectRunner = (sparql: string) => Promise<SparqlBinding[]>;

const KIND_BY_TYPE: Record<string, SchemaPropertyKind> = {
  'http://www.w3.org/2002/07/owl#ObjectProperty': 'object',
  'http://www.w3.org/2002/07/owl#DatatypeProperty': 'datatype',
  'http://www.w3.org/2002/07/owl#AnnotationProperty': 'annotation',
};

const DOMAIN_RELS = new Set([
  'http://www.w3.org/2000/01/rdf-schema#domain',
  'http://schema.org/domainIncludes',
  'https://schema.org/domainIncludes',
]);

/**
 * Reads a graph's schema with SPARQL alone, so it works on every store: the declared ontology (RDFS,
 * OWL, schema.org's domainIncludes/rangeIncludes, SHACL shapes) and, when none is declared, shapes
 * derived from the data (class → predicates → value types, with counts).
 */
export class SchemaExtractor {
  constructor(private readonly run: SelectRunner) {}

  async extract(): Promise<GraphSchema> {
    const [classRows, subRows, propRows, drRows, shaclRows, usage] = await Promise.all([
      this.run(CLASSES_QUERY),
      this.run(SUBCLASS_QUERY),
      this.run(PROPERTIES_QUERY),
      this.run(DOMAIN_RANGE_QUERY),
      this.run(SHACL_QUERY),
      this.usage(),
    ]);
    const classes = toClasses(classRows, subRows);
    const properties = toProperties(propRows, drRows);
    const shapes = toShapes(shaclRows);
    const declared = classes.length + properties.length + shapes.length > 0;
    const dataShapes = declared ? [] : await this.dataShapes();
    return {
      source: declared ? 'ontology' : 'data',
      classes,
      properties,
      shapes,
      dataShapes,
      usage,
      extractedAt: new Date().toISOString(),
    };
  }

  /**
   * Counting is a scan of the data, which a very large store may refuse or time out on: the schema
   * is then served without counts rather than not at all.
   */
  private async usage(): Promise<SchemaUsage | undefined> {
    try {
      const [props, classes] = await Promise.all([
        this.run(PROPERTY_USAGE_QUERY),
        this.run(CLASS_USAGE_QUERY),
      ]);
      const counts = (rows: SparqlBinding[], key: string) =>
        Object.fromEntries(rows.filter((r) => r[key]).map((r) => [r[key].value, num(r.n)]));
      return { properties: counts(props, 'p'), classes: counts(classes, 'class') };
    } catch {
      return undefined;
    }
  }

  private async dataShapes(): Promise<DataShape[]> {
    const [classRows, shapeRows] = await Promise.all([
      this.run(DATA_CLASSES_QUERY),
      this.run(DATA_SHAPES_QUERY),
    ]);
    const shapes = new Map<string, DataShape>();
    for (const r of classRows.slice(0, MAX_DATA_CLASSES)) {
      shapes.set(r.class.value, { class: r.class.value, instances: num(r.n), predicates: [] });
    }
    for (const r of shapeRows) {
      const shape = shapes.get(r.class?.value);
      if (!shape || !r.p) continue;
      let pred = shape.predicates.find((p) => p.predicate === r.p.value);
      if (!pred) {
        pred = { predicate: r.p.value, count: 0, valueTypes: [] };
        shape.predicates.push(pred);
      }
      pred.count += num(r.n);
      pred.valueTypes.push({ type: r.vt?.value ?? 'IRI', count: num(r.n) });
    }
    for (const s of shapes.values()) s.predicates.sort((a, b) => b.count - a.count);
    return [...shapes.values()];
  }
}

function num(term: { value: string } | undefined): number {
  const n = Number(term?.value);
  return Number.isFinite(n) ? n : 0;
}

function toClasses(rows: SparqlBinding[], subRows: SparqlBinding[]): SchemaClass[] {
  const supers = new Map<string, string[]>();
  for (const r of subRows) {
    const list = supers.get(r.x.value) ?? [];
    list.push(r.super.value);
    supers.set(r.x.value, list);
  }
  return rows
    .map((r) => ({
      iri: r.x.value,
      label: r.label?.value,
      comment: r.comment?.value,
      superClasses: (supers.get(r.x.value) ?? []).sort(),
    }))
    .sort((a, b) => a.iri.localeCompare(b.iri));
}

function toProperties(rows: SparqlBinding[], drRows: SparqlBinding[]): SchemaProperty[] {
  const domains = new Map<string, Set<string>>();
  const ranges = new Map<string, Set<string>>();
  for (const r of drRows) {
    const target = DOMAIN_RELS.has(r.rel.value) ? domains : ranges;
    const set = target.get(r.x.value) ?? new Set<string>();
    set.add(r.c.value);
    target.set(r.x.value, set);
  }
  return rows
    .map((r) => ({
      iri: r.x.value,
      kind: KIND_BY_TYPE[r.type?.value ?? ''] ?? 'property',
      label: r.label?.value,
      comment: r.comment?.value,
      domains: [...(domains.get(r.x.value) ?? [])].sort(),
      ranges: [...(ranges.get(r.x.value) ?? [])].sort(),
    }))
    .sort((a, b) => a.iri.localeCompare(b.iri));
}

function toShapes(rows: SparqlBinding[]): SchemaShape[] {
  const shapes = new Map<string, SchemaShape>();
  for (const r of rows) {
    const iri = r.shape.value;
    const shape = shapes.get(iri) ?? { iri, targetClasses: [], properties: [] };
    shapes.set(iri, shape);
    if (r.target && !shape.targetClasses.includes(r.target.value)) {
      shape.targetClasses.push(r.target.value);
    }
    if (r.path && !shape.properties.some((p) => p.path === r.path.value)) {
      shape.properties.push({
        path: r.path.value,
        datatype: r.datatype?.value,
        class: r.class?.value,
        minCount: r.min ? num(r.min) : undefined,
        maxCount: r.max ? num(r.max) : undefined,
        name: r.name?.value,
      });
    }
  }
  return [...shapes.values()];
}
