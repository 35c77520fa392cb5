import type {
  DataShape,
  GraphSchema,
  SchemaClass,
  SchemaProperty,
} from '../../knowledge-graph/schema/graph-schema.js';
import type { LinkedEntity } from './entity-linker.js';
import { contentWords, localName, words } from './label-text.js';
import {
  estimateTokens,
  SchemaRetriever,
  type SchemaContext,
  type SchemaRetrievalQuery,
} from './schema-retriever.js';

/** BM25's usual constants: term-frequency saturation and length normalisation. */
const K1 = 1.2;
const B = 0.75;
/** What a linked entity's class adds to that class, and to the properties around it. */
const TYPE_BOOST = 6;
const TYPE_NEIGHBOUR_BOOST = 3;
/** What belonging to the data's own vocabulary adds, and the share of instances that makes it so. */
const HOME_PRIOR = 10;
const HOME_SHARE = 0.1;
/** Properties a selected class brings along (one hop), best first. */
const HOP_PROPERTIES = 12;
/** Comments are cut here: schema.org's run to paragraphs. */
const MAX_COMMENT = 100;

interface Item {
  iri: string;
  kind: 'class' | 'property' | 'shape';
  /** Folded, stemmed words with their field weights already applied (repeats). */
  terms: Map<string, number>;
  length: number;
  used: number | undefined;
  line: string;
  /** Classes this item leads to: a property's domains and ranges, a shape's value classes. */
  neighbours: string[];
  /** A data-derived class shape's predicates. */
  predicates: string[];
  /** What the question says of it: BM25 of its words plus the linked entities' classes. */
  match: number;
  /** `match` plus what its vocabulary's use in the data adds: the ranking key. */
  score: number;
}

/**
 * Picks the part of the schema a question needs, as SIB's sparql-llm does with its retrieval: every
 * class and property (or, for a graph that declares none, every data-derived class shape) is a
 * document of its local name, label and comment; documents are ranked by BM25 against the
 * question's words, boosted by the linked entities' classes, and tiered by use — a term the data
 * never uses comes after every term it does, since no query can match data through it. The ranked
 * terms are taken in order, each selected class bringing its best properties and each property its
 * domain and range classes (one hop), until the token budget is spent.
 */
export class LexicalSchemaRetriever extends SchemaRetriever {
  /** Documents depend on the schema alone: built once per cached schema object. */
  private readonly corpora = new WeakMap<GraphSchema, Corpus>();

  retrieve(q: SchemaRetrievalQuery): SchemaContext {
    let corpus = this.corpora.get(q.schema);
    if (!corpus) {
      corpus = buildCorpus(q.schema);
      this.corpora.set(q.schema, corpus);
    }
    const { items, byIri, ancestors } = corpus;
    score(corpus, q.question, q.entities);
    const hops = propertiesByClass(items, ancestors);
    const ranked = [...items].sort(compare);

    const chosen = new Set<Item>();
    const budgetChars = q.budgetTokens * 4;
    let size = 0;
    const take = (item: Item | undefined): boolean => {
      if (!item || chosen.has(item)) return true;
      if (item.used === 0 && item.match <= 0) return true;
      if (size + item.line.length + 1 > budgetChars) return false;
      chosen.add(item);
      size += item.line.length + 1;
      return true;
    };
    for (const item of ranked) {
      if (item.used === 0 && item.score <= 0) break;
      if (size + item.line.length + 1 > budgetChars) continue;
      take(item);
      for (const c of item.neighbours) take(byIri.get(c));
      // Only what the question itself points at brings its neighbourhood along.
      if (item.kind === 'class' && item.match > 0) {
        for (const c of ancestors.get(item.iri) ?? []) take(byIri.get(c));
        for (const p of hops(item.iri).slice(0, HOP_PROPERTIES)) take(p);
      }
    }
    return render(
      items.filter((i) => chosen.has(i)),
      q.schema.source,
    );
  }
}

interface Corpus {
  items: Item[];
  byIri: Map<string, Item>;
  /** Each class's superclasses, transitively. */
  ancestors: Map<string, string[]>;
  /** Namespaces holding a good share of the data's instances: the graph's own vocabulary. */
  home: Set<string>;
  df: Map<string, number>;
  avgLength: number;
}

function buildCorpus(schema: GraphSchema): Corpus {
  const items = schema.source === 'data' ? shapeItems(schema) : ontologyItems(schema);
  const df = new Map<string, number>();
  for (const i of items) for (const t of i.terms.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const avgLength = items.reduce((s, i) => s + i.length, 0) / Math.max(1, items.length);
  const parents = new Map(schema.classes.map((c) => [c.iri, c.superClasses]));
  const ancestors = new Map<string, string[]>();
  for (const c of schema.classes) {
    const seen = new Set<string>();
    const stack = [...c.superClasses];
    while (stack.length && seen.size < 50) {
      const x = stack.pop()!;
      if (seen.has(x) || x === c.iri) continue;
      seen.add(x);
      stack.push(...(parents.get(x) ?? []));
    }
    ancestors.set(c.iri, [...seen]);
  }
  return {
    items,
    byIri: new Map(items.map((i) => [i.iri, i])),
    ancestors,
    home: homeNamespaces(schema),
    df,
    avgLength,
  };
}

/**
 * The namespaces of the classes that hold at least a tenth of the instances. A graph that keeps
 * schema.org or the DBpedia ontology beside its data still has its data in its own vocabulary, and
 * a question about the data is answered through it.
 */
function homeNamespaces(schema: GraphSchema): Set<string> {
  const perNamespace = new Map<string, number>();
  let total = 0;
  for (const [cls, n] of Object.entries(schema.usage?.classes ?? {})) {
    const ns = namespaceOf(cls);
    perNamespace.set(ns, (perNamespace.get(ns) ?? 0) + n);
    total += n;
  }
  return new Set([...perNamespace].filter(([, n]) => n >= total * HOME_SHARE).map(([ns]) => ns));
}

function namespaceOf(iri: string): string {
  return iri.slice(0, Math.max(iri.lastIndexOf('#'), iri.lastIndexOf('/')) + 1);
}

function compare(a: Item, b: Item): number {
  const tier = (i: Item) => (i.used === 0 ? 1 : 0);
  return (
    tier(a) - tier(b) ||
    b.score - a.score ||
    (b.used ?? 0) - (a.used ?? 0) ||
    a.iri.localeCompare(b.iri)
  );
}

function ontologyItems(schema: GraphSchema): Item[] {
  const usage = schema.usage;
  const classes = schema.classes.map((c) =>
    item(
      c.iri,
      'class',
      c.label,
      c.comment,
      usage?.classes[c.iri] ?? count(usage),
      classLine(c),
      [],
    ),
  );
  const properties = schema.properties.map((p) =>
    item(
      p.iri,
      'property',
      p.label,
      p.comment,
      usage?.properties[p.iri] ?? count(usage),
      propertyLine(p),
      [...p.domains, ...p.ranges],
    ),
  );
  return [...classes, ...properties];
}

/** Unknown when the store gave no counts; zero when it counted and found none. */
const count = (usage: GraphSchema['usage']) => (usage ? 0 : undefined);

function shapeItems(schema: GraphSchema): Item[] {
  return schema.dataShapes.map((s) => {
    const predicates = s.predicates.map((p) => localName(p.predicate)).join(' ');
    const neighbours = s.predicates.flatMap((p) =>
      p.valueTypes.map((v) => v.type).filter((t) => t.includes(':') && !t.includes('XMLSchema#')),
    );
    return {
      ...item(s.class, 'shape', undefined, predicates, s.instances, shapeLine(s), neighbours),
      predicates: s.predicates.map((p) => p.predicate),
    };
  });
}

function item(
  iri: string,
  kind: Item['kind'],
  label: string | undefined,
  comment: string | undefined,
  used: number | undefined,
  line: string,
  neighbours: string[],
): Item {
  const terms = new Map<string, number>();
  const add = (text: string | undefined, weight: number) => {
    for (const w of words(text ?? '')) terms.set(w.norm, (terms.get(w.norm) ?? 0) + weight);
  };
  add(localName(iri), 2);
  add(label, 2);
  add(comment, 1);
  let length = 0;
  for (const n of terms.values()) length += n;
  return { iri, kind, terms, length, used, line, neighbours, predicates: [], match: 0, score: 0 };
}

function score(corpus: Corpus, question: string, entities: LinkedEntity[]): void {
  const { items, df, avgLength: avg, ancestors } = corpus;
  const qWords = [...new Set(contentWords(question).map((w) => w.norm))];
  const n = items.length;
  // A linked entity's classes and their superclasses: an employee is also an agent, whose
  // properties (address, expertise) are the employee's too.
  const direct = entities.flatMap((e) => e.types);
  const types = new Set([...direct, ...direct.flatMap((t) => ancestors.get(t) ?? [])]);
  for (const i of items) {
    let s = 0;
    for (const w of qWords) {
      const tf = i.terms.get(w);
      if (!tf) continue;
      const idf = Math.log(1 + (n - (df.get(w) ?? 0) + 0.5) / ((df.get(w) ?? 0) + 0.5));
      s += (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * i.length) / (avg || 1)));
    }
    if (types.has(i.iri)) s += TYPE_BOOST;
    else if (i.neighbours.some((c) => types.has(c))) s += TYPE_NEIGHBOUR_BOOST;
    i.match = s;
    i.score = s + (corpus.home.has(namespaceOf(i.iri)) ? HOME_PRIOR : 0);
  }
}

/** For each class, the properties whose domain or range it or a superclass is, best first. */
function propertiesByClass(
  items: Item[],
  ancestors: Map<string, string[]>,
): (cls: string) => Item[] {
  const direct = new Map<string, Item[]>();
  for (const i of items) {
    if (i.kind !== 'property') continue;
    for (const c of i.neighbours) {
      const list = direct.get(c) ?? [];
      list.push(i);
      direct.set(c, list);
    }
  }
  return (cls) =>
    [...new Set([cls, ...(ancestors.get(cls) ?? [])].flatMap((x) => direct.get(x) ?? []))].sort(
      compare,
    );
}

function render(items: Item[], source: GraphSchema['source']): SchemaContext {
  const classes = items.filter((i) => i.kind !== 'property');
  const properties = items.filter((i) => i.kind === 'property');
  const lines: string[] = [];
  if (source === 'data') {
    lines.push('Classes as the data uses them (instances; property → value type (triples)):');
    lines.push(...classes.map((i) => i.line));
  } else {
    if (classes.length) lines.push('Classes:', ...classes.map((i) => i.line));
    if (properties.length) lines.push('Properties:', ...properties.map((i) => i.line));
  }
  const text = lines.join('\n');
  return {
    text,
    classes: classes.map((i) => i.iri),
    properties:
      source === 'data'
        ? [...new Set(classes.flatMap((i) => i.predicates))]
        : properties.map((i) => i.iri),
    tokens: estimateTokens(text),
  };
}

const iri = (s: string) => `<${s}>`;

const XSD = 'http://www.w3.org/2001/XMLSchema#';
/** XSD datatypes as `xsd:` names: every model knows them, and they are a fifth of the ranges. */
const term = (s: string) => (s.startsWith(XSD) ? `xsd:${s.slice(XSD.length)}` : `<${s}>`);
const sameWords = (a: string, b: string) =>
  words(a)
    .map((w) => w.norm)
    .join(' ') ===
  words(b)
    .map((w) => w.norm)
    .join(' ');

function describe(iriText: string, label?: string, comment?: string): string {
  // A label that only respells the local name ("amount" for pv:amount), or a comment that only
  // repeats the label ("The amount."), costs tokens and says nothing.
  if (label && sameWords(label, localName(iriText))) label = undefined;
  if (comment && sameWords(comment.replace(/^(the|a|an)\s+/i, ''), label ?? localName(iriText))) {
    comment = undefined;
  }
  const c = comment?.replace(/\s+/g, ' ').trim();
  const cut = c && c.length > MAX_COMMENT ? `${c.slice(0, MAX_COMMENT - 1)}…` : c;
  if (label && cut) return ` "${label}": ${cut}`;
  if (label) return ` "${label}"`;
  return cut ? ` : ${cut}` : '';
}

function classLine(c: SchemaClass): string {
  const sup = c.superClasses.length ? ` subClassOf ${c.superClasses.map(term).join(', ')}` : '';
  return `- ${iri(c.iri)}${describe(c.iri, c.label, c.comment)}${sup}`;
}

function propertyLine(p: SchemaProperty): string {
  const dom = p.domains.length ? `; domain ${p.domains.map(term).join(', ')}` : '';
  const rng = p.ranges.length ? `; range ${p.ranges.map(term).join(', ')}` : '';
  return `- ${iri(p.iri)}${describe(p.iri, p.label, p.comment)}${dom}${rng}`;
}

function shapeLine(s: DataShape): string {
  const preds = s.predicates
    .slice(0, 30)
    .map((p) => {
      const types = p.valueTypes
        .slice(0, 3)
        .map((v) => (v.type.includes('/') || v.type.includes('#') ? iri(v.type) : v.type))
        .join('|');
      return `${iri(p.predicate)} → ${types} (${p.count})`;
    })
    .join(', ');
  return `- ${iri(s.class)} (${s.instances}): ${preds}`;
}
