import type { LinkedEntity } from './entity-linker.js';
import {
  contentWords,
  editDistance,
  isAcronym,
  localName,
  nameTokens,
  trigrams,
  type WordToken,
} from './label-text.js';

/** Where a name came from: a label property, another name or identifier property, or the IRI. */
export type NameSource = 'label' | 'name' | 'iri';

export interface NameRow {
  iri: string;
  text: string;
  source: NameSource;
}

/** A label beats an identifier, which beats a decoded IRI (whose words are often codes). */
const SOURCE_WEIGHT: Record<NameSource, number> = { label: 1, name: 0.95, iri: 0.85 };

interface Entry {
  resource: number;
  tokens: number[];
  weight: number;
}

interface Resource {
  iri: string;
  label?: string;
  labelRank: number;
  types: string[];
}

interface TokenMatch {
  token: number;
  sim: number;
  /** The question word it matched. */
  word: string;
}

export interface LabelIndexOptions {
  /** Names beyond this many are not indexed (the index stays bounded however large the graph). */
  maxEntries?: number;
}

const DEFAULT_MAX_ENTRIES = 300_000;
/** A candidate must cover at least this share of its name's weight to be offered. */
const MIN_COVERAGE = 0.2;
/** An untyped resource in a typed graph is usually a value or a link target, rarely the subject. */
const UNTYPED_WEIGHT = 0.8;
/** Candidates scoring below this share of the best one are noise beside it. */
const RELATIVE_FLOOR = 0.25;
/** Words this common (share of names holding them) say nothing about which resource is meant. */
const MAX_DF_SHARE = 0.2;

/**
 * An in-memory index of a graph's names: every name is a set of normalised words; a question is
 * matched word by word (exact, then typo-tolerant by trigrams and edit distance, then as a prefix of
 * a longer word, or as the initials of a name), and each resource is scored by the inverse document
 * frequency of the words matched and by how much of its name the question covers.
 */
export class LabelIndex {
  private readonly resources: Resource[] = [];
  private readonly resourceIds = new Map<string, number>();
  private readonly entries: Entry[] = [];
  private readonly vocab = new Map<string, number>();
  private readonly tokenText: string[] = [];
  private readonly postings: number[][] = [];
  private readonly grams = new Map<string, number[]>();
  private readonly initials = new Map<string, number[]>();
  private sortedTokens: string[] = [];
  private idfCache: number[] = [];
  private readonly maxEntries: number;
  /** Whether types were given: then an untyped resource is less likely what a question means. */
  private typed = false;

  constructor(options: LabelIndexOptions = {}) {
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  }

  /** Builds an index of these names; `types` gives each resource's classes. */
  static build(
    rows: Iterable<NameRow>,
    types: ReadonlyMap<string, string[]> = new Map(),
    options: LabelIndexOptions & { exclude?: ReadonlySet<string> } = {},
  ): LabelIndex {
    const index = new LabelIndex(options);
    for (const row of rows) {
      if (options.exclude?.has(row.iri)) continue;
      if (!index.add(row)) break;
    }
    for (const [iri, ts] of types) {
      const id = index.resourceIds.get(iri);
      if (id !== undefined) index.resources[id].types = ts;
    }
    index.typed = types.size > 0;
    index.seal();
    return index;
  }

  get size(): number {
    return this.entries.length;
  }

  get resourceCount(): number {
    return this.resources.length;
  }

  /** Indexes one name; false once the index is full. */
  private add(row: NameRow): boolean {
    if (this.entries.length >= this.maxEntries) return false;
    const text = row.source === 'iri' ? localName(row.text) : row.text;
    const tokens = nameTokens(text).slice(0, 24);
    if (tokens.length === 0) return true;
    let rid = this.resourceIds.get(row.iri);
    if (rid === undefined) {
      rid = this.resources.length;
      this.resources.push({ iri: row.iri, labelRank: 99, types: [] });
      this.resourceIds.set(row.iri, rid);
    }
    const res = this.resources[rid];
    const rank = row.source === 'label' ? 0 : row.source === 'name' ? 1 : 2;
    if (rank < res.labelRank) {
      res.label = row.source === 'iri' ? text : row.text;
      res.labelRank = rank;
    }
    const ids = tokens.map((t) => this.tokenId(t));
    const entry = this.entries.length;
    this.entries.push({ resource: rid, tokens: ids, weight: SOURCE_WEIGHT[row.source] });
    for (const id of ids) this.postings[id].push(entry);
    if (tokens.length >= 2 && tokens.length <= 5) {
      const key = tokens.map((t) => t[0]).join('');
      const list = this.initials.get(key) ?? [];
      list.push(entry);
      this.initials.set(key, list);
    }
    return true;
  }

  private tokenId(token: string): number {
    let id = this.vocab.get(token);
    if (id === undefined) {
      id = this.tokenText.length;
      this.vocab.set(token, id);
      this.tokenText.push(token);
      this.postings.push([]);
      for (const g of trigrams(token)) {
        const list = this.grams.get(g) ?? [];
        list.push(id);
        this.grams.set(g, list);
      }
    }
    return id;
  }

  private seal(): void {
    this.sortedTokens = [...this.tokenText].sort();
    const n = Math.max(1, this.entries.length);
    this.idfCache = this.postings.map((p) => Math.log(1 + n / (p.length + 0.5)));
  }

  /** The resources the question most probably names, best first. */
  search(question: string, limit: number): LinkedEntity[] {
    const qWords = contentWords(question);
    if (qWords.length === 0 || this.entries.length === 0) return [];
    const matches = new Map<number, TokenMatch>();
    for (const w of qWords) {
      for (const m of this.tokenMatches(w)) {
        const had = matches.get(m.token);
        if (!had || had.sim < m.sim) matches.set(m.token, m);
      }
    }
    const best = new Map<number, { score: number; matched: Set<string> }>();
    const consider = (entryId: number, score: number, matched: Iterable<string>) => {
      const rid = this.entries[entryId].resource;
      const had = best.get(rid);
      if (!had || had.score < score) best.set(rid, { score, matched: new Set(matched) });
    };
    const seen = new Set<number>();
    const maxDf = Math.max(50, this.entries.length * MAX_DF_SHARE);
    for (const m of matches.values()) {
      const posting = this.postings[m.token];
      if (posting.length > maxDf) continue;
      for (const e of posting) {
        if (seen.has(e)) continue;
        seen.add(e);
        const scored = this.scoreEntry(e, matches);
        if (scored) consider(e, scored.score, scored.words);
      }
    }
    for (const w of qWords) {
      if (!isAcronym(w.raw)) continue;
      for (const e of this.initials.get(w.raw.toLowerCase()) ?? []) {
        const entry = this.entries[e];
        const total = entry.tokens.reduce((s, t) => s + this.idfCache[t], 0);
        consider(e, 0.9 * entry.weight * total, [w.raw]);
      }
    }
    const qTotal = qWords.reduce((s, w) => s + this.idfOfWord(w), 0) || 1;
    const ranked = [...best.entries()].sort((a, b) => b[1].score - a[1].score || a[0] - b[0]);
    const floor = (ranked[0]?.[1].score ?? 0) * RELATIVE_FLOOR;
    return ranked
      .filter(([, b]) => b.score >= floor)
      .slice(0, limit)
      .map(([rid, b]) => {
        const r = this.resources[rid];
        return {
          iri: r.iri,
          label: r.label ?? localName(r.iri),
          types: r.types,
          score: Math.min(1, Math.round((b.score / qTotal) * 1000) / 1000),
          matched: [...b.matched].join(' '),
        };
      });
  }

  private scoreEntry(
    entryId: number,
    matches: Map<number, TokenMatch>,
  ): { score: number; words: string[] } | undefined {
    const entry = this.entries[entryId];
    let total = 0;
    let hit = 0;
    const matchedWords: string[] = [];
    for (const t of entry.tokens) {
      const idf = this.idfCache[t];
      total += idf;
      const m = matches.get(t);
      if (m) {
        hit += idf * m.sim;
        if (!matchedWords.includes(m.word)) matchedWords.push(m.word);
      }
    }
    if (total === 0 || hit === 0) return undefined;
    const coverage = hit / total;
    if (coverage < MIN_COVERAGE) return undefined;
    const untyped = this.typed && this.resources[entry.resource].types.length === 0;
    const weight = entry.weight * (untyped ? UNTYPED_WEIGHT : 1);
    return { score: weight * hit * Math.sqrt(coverage), words: matchedWords };
  }

  /** The indexed words a question word may stand for, with a similarity in (0, 1]. */
  private tokenMatches(w: WordToken): TokenMatch[] {
    const out: TokenMatch[] = [];
    const q = w.norm;
    const exact = this.vocab.get(q);
    if (exact !== undefined) out.push({ token: exact, sim: 1, word: w.raw });
    if (q.length >= 4) {
      // Typos: candidates sharing trigrams, confirmed by edit distance.
      const maxEdits = q.length >= 8 ? 2 : 1;
      const shared = new Map<number, number>();
      for (const g of trigrams(q)) {
        for (const id of this.grams.get(g) ?? []) shared.set(id, (shared.get(id) ?? 0) + 1);
      }
      const need = Math.max(1, trigrams(q).length - 3 * maxEdits);
      for (const [id, count] of shared) {
        if (id === exact || count < need) continue;
        const t = this.tokenText[id];
        const d = editDistance(q, t, maxEdits);
        if (d <= maxEdits) {
          out.push({ token: id, sim: 1 - d / Math.max(q.length, t.length) - 0.05, word: w.raw });
        }
      }
      // Partial words: "Heinr" for "Heinrich".
      for (const id of this.prefixed(q)) {
        if (id === exact) continue;
        const t = this.tokenText[id];
        out.push({ token: id, sim: 0.5 + 0.4 * (q.length / t.length), word: w.raw });
      }
    }
    return out;
  }

  private prefixed(prefix: string): number[] {
    const out: number[] = [];
    let lo = 0;
    let hi = this.sortedTokens.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sortedTokens[mid] < prefix) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.sortedTokens.length && out.length < 50; i++) {
      const t = this.sortedTokens[i];
      if (!t.startsWith(prefix)) break;
      if (t !== prefix) out.push(this.vocab.get(t)!);
    }
    return out;
  }

  private idfOfWord(w: WordToken): number {
    const id = this.vocab.get(w.norm);
    return id === undefined ? Math.log(1 + this.entries.length / 0.5) : this.idfCache[id];
  }
}
