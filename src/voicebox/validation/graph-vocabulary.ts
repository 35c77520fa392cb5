import type { GraphSchema } from '../../knowledge-graph/schema/graph-schema.js';
import { isStandardNamespace, namespaceOf } from './standard-vocabularies.js';

export type TermKind = 'class' | 'property';

interface TermInfo {
  kinds: Set<TermKind>;
  /** Label and comment, for matching an invented term's words against. */
  text: string;
}

/**
 * The classes and properties a graph knows: declared ones (RDFS/OWL/schema.org/SHACL) and those
 * derived from the data. Built once per schema; lookups are by full IRI.
 */
export class GraphVocabulary {
  private readonly terms = new Map<string, TermInfo>();
  /** The graph's own namespaces (standard ones left out), most terms first. */
  readonly namespaces: string[];

  constructor(
    entries: Iterable<{ iri: string; kind: TermKind; label?: string; comment?: string }>,
  ) {
    for (const e of entries) {
      const info = this.terms.get(e.iri) ?? { kinds: new Set<TermKind>(), text: '' };
      info.kinds.add(e.kind);
      const extra = [e.label, e.comment].filter(Boolean).join(' ');
      if (extra) info.text = `${info.text} ${extra}`.trim();
      this.terms.set(e.iri, info);
    }
    const counts = new Map<string, number>();
    for (const iri of this.terms.keys()) {
      const ns = namespaceOf(iri);
      if (ns === iri || isStandardNamespace(ns)) continue;
      counts.set(ns, (counts.get(ns) ?? 0) + 1);
    }
    this.namespaces = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([ns]) => ns);
  }

  static fromSchema(schema: GraphSchema): GraphVocabulary {
    const entries: { iri: string; kind: TermKind; label?: string; comment?: string }[] = [];
    for (const c of schema.classes) {
      entries.push({ iri: c.iri, kind: 'class', label: c.label, comment: c.comment });
      for (const s of c.superClasses) entries.push({ iri: s, kind: 'class' });
    }
    for (const p of schema.properties) {
      entries.push({ iri: p.iri, kind: 'property', label: p.label, comment: p.comment });
      // Domains are classes; ranges are classes too unless they are datatypes.
      for (const d of p.domains) entries.push({ iri: d, kind: 'class' });
      for (const r of p.ranges) if (!isDatatype(r)) entries.push({ iri: r, kind: 'class' });
    }
    for (const s of schema.shapes) {
      for (const c of s.targetClasses) entries.push({ iri: c, kind: 'class' });
      for (const p of s.properties) {
        entries.push({ iri: p.path, kind: 'property', label: p.name });
        if (p.class) entries.push({ iri: p.class, kind: 'class' });
      }
    }
    for (const d of schema.dataShapes) {
      entries.push({ iri: d.class, kind: 'class' });
      for (const p of d.predicates) entries.push({ iri: p.predicate, kind: 'property' });
    }
    return new GraphVocabulary(entries);
  }

  has(iri: string, kind?: TermKind): boolean {
    const info = this.terms.get(iri);
    return info !== undefined && (kind === undefined || info.kinds.has(kind));
  }

  /** Every term of a kind, with its label and comment text. */
  termsOf(kind: TermKind): { iri: string; text: string }[] {
    const out: { iri: string; text: string }[] = [];
    for (const [iri, info] of this.terms)
      if (info.kinds.has(kind)) out.push({ iri, text: info.text });
    return out;
  }

  /** Local names of the terms in one namespace. */
  localNames(namespace: string): Set<string> {
    const out = new Set<string>();
    for (const iri of this.terms.keys()) {
      if (namespaceOf(iri) === namespace) out.add(iri.slice(namespace.length));
    }
    return out;
  }
}

function isDatatype(iri: string): boolean {
  return (
    iri.startsWith('http://www.w3.org/2001/XMLSchema#') ||
    iri === 'http://www.w3.org/2000/01/rdf-schema#Literal' ||
    iri === 'http://www.w3.org/1999/02/22-rdf-syntax-ns#langString'
  );
}
