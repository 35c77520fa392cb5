import sparqljs from 'sparqljs';
import type { GraphSchema } from '../../knowledge-graph/schema/graph-schema.js';

/**
 * A minimal stand-in for the `validator` branch's SparqlValidator (same surface), used until that
 * branch is merged: parse, add missing well-known PREFIXes, check class and property IRIs against
 * the schema, and list the instance IRIs for an existence check in the graph.
 */
export interface ValidationProblem {
  kind: string;
  /** Plain words, for the model. */
  message: string;
  term?: string;
}

export interface SparqlValidation {
  sparql: string;
  problems: ValidationProblem[];
  /** IRIs in subject or object position that are neither classes nor properties. */
  instanceIris: string[];
  /** `query` or `update` (an update is never run). */
  type?: 'query' | 'update';
}

const WELL_KNOWN: Record<string, string> = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  owl: 'http://www.w3.org/2002/07/owl#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  schema: 'http://schema.org/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  dc: 'http://purl.org/dc/elements/1.1/',
  dct: 'http://purl.org/dc/terms/',
  dcterms: 'http://purl.org/dc/terms/',
  sh: 'http://www.w3.org/ns/shacl#',
};
const BUILT_IN = Object.values(WELL_KNOWN).slice(0, 4);
const RDF_TYPE = `${WELL_KNOWN.rdf}type`;

type Term = { termType?: string; value?: string };

export class StandInSparqlValidator {
  private readonly classes: Set<string>;
  private readonly properties: Set<string>;

  constructor(schema: GraphSchema) {
    this.classes = new Set([
      ...schema.classes.map((c) => c.iri),
      ...schema.dataShapes.map((s) => s.class),
    ]);
    this.properties = new Set([
      ...schema.properties.map((p) => p.iri),
      ...schema.dataShapes.flatMap((s) => s.predicates.map((p) => p.predicate)),
    ]);
  }

  validate(sparql: string): SparqlValidation {
    let text = sparql;
    for (let i = 0; i < 20; i++) {
      try {
        const parsed = new sparqljs.Parser().parse(text);
        if (parsed.type === 'update')
          return { sparql: text, problems: [], instanceIris: [], type: 'update' };
        return { sparql: text, ...this.check(parsed), type: 'query' };
      } catch (err) {
        const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
        const prefix = /Unknown prefix: ([\w-]*)/.exec(message)?.[1];
        if (prefix !== undefined && WELL_KNOWN[prefix]) {
          text = `PREFIX ${prefix}: <${WELL_KNOWN[prefix]}>\n${text}`;
          continue;
        }
        const problem =
          prefix !== undefined
            ? `The prefix "${prefix}:" is used but not declared; declare it with PREFIX ${prefix}: <…>.`
            : `The query does not parse: ${message}`;
        return { sparql: text, problems: [{ kind: 'syntax', message: problem }], instanceIris: [] };
      }
    }
    return {
      sparql: text,
      problems: [{ kind: 'syntax', message: 'Too many undeclared prefixes.' }],
      instanceIris: [],
    };
  }

  private check(parsed: object): Omit<SparqlValidation, 'sparql'> {
    const problems: ValidationProblem[] = [];
    const instances = new Set<string>();
    const seen = new Set<string>();
    const builtIn = (iri: string) => BUILT_IN.some((ns) => iri.startsWith(ns));
    const problem = (kind: string, iri: string, what: string) => {
      if (seen.has(iri)) return;
      seen.add(iri);
      problems.push({
        kind,
        term: iri,
        message: `${what} <${iri}> does not exist in this graph's schema; use one that is listed.`,
      });
    };
    const named = (t: unknown): t is Term & { value: string } =>
      typeof t === 'object' && t !== null && (t as Term).termType === 'NamedNode';
    const visitPredicate = (p: unknown) => {
      if (named(p)) {
        if (!builtIn(p.value) && !this.properties.has(p.value))
          problem('unknown_property', p.value, 'The property');
      } else if (typeof p === 'object' && p !== null && 'items' in p) {
        for (const item of (p as { items: unknown[] }).items) visitPredicate(item);
      }
    };
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(visit);
      if (typeof node !== 'object' || node === null) return;
      const o = node as Record<string, unknown>;
      if ('subject' in o && 'predicate' in o && 'object' in o) {
        visitPredicate(o.predicate);
        const isType = named(o.predicate) && o.predicate.value === RDF_TYPE;
        if (isType && named(o.object)) {
          if (!builtIn(o.object.value) && !this.classes.has(o.object.value))
            problem('unknown_class', o.object.value, 'The class');
        } else if (named(o.object)) this.instance(o.object.value, instances);
        if (named(o.subject)) this.instance(o.subject.value, instances);
        return;
      }
      if (o.type === 'values' && Array.isArray(o.values)) {
        for (const row of o.values as Record<string, unknown>[]) {
          for (const t of Object.values(row)) if (named(t)) this.instance(t.value, instances);
        }
        return;
      }
      if (o.termType) return;
      for (const [k, v] of Object.entries(o)) if (k !== 'prefixes') visit(v);
    };
    visit((parsed as { where?: unknown }).where);
    return { problems, instanceIris: [...instances] };
  }

  private instance(iri: string, into: Set<string>): void {
    if (
      this.classes.has(iri) ||
      this.properties.has(iri) ||
      BUILT_IN.some((ns) => iri.startsWith(ns))
    )
      return;
    into.add(iri);
  }
}
