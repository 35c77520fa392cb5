import type { GateAnalysis } from './sparql-gate-core.js';

/** Texts remembered; a turn checks the same text two or three times within a few milliseconds. */
const MAX_ENTRIES = 512;
/** Characters held (checked texts and regenerated ones): texts go up to 64 KiB, memory must not. */
const MAX_CHARS = 2 * 1024 * 1024;

interface Entry {
  analysis: GateAnalysis;
  chars: number;
}

/**
 * What the gate learnt from a text, kept so that the same text is not parsed again: the validator
 * checks the model's query, then the execution gate checks the very same text before sending it
 * (each parse of a written query costs sparqljs about a millisecond of CPU here). The analysis is a pure function of the text and
 * the LIMIT cap, so it is keyed by both; the policy (SERVICE allow-list, messages) is applied to it
 * afresh by each gate. A bounded LRU: the least recently used text goes first.
 */
export class GateVerdictCache {
  private static instance?: GateVerdictCache;
  private readonly entries = new Map<string, Entry>();
  private chars = 0;

  constructor(
    private readonly maxEntries = MAX_ENTRIES,
    private readonly maxChars = MAX_CHARS,
  ) {}

  /** One cache for the process, shared by every gate (each with its own cap in the key). */
  static shared(): GateVerdictCache {
    GateVerdictCache.instance ??= new GateVerdictCache();
    return GateVerdictCache.instance;
  }

  get(sparql: string, cap: number): GateAnalysis | undefined {
    const key = keyOf(sparql, cap);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Most recently used last: Map keeps insertion order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.analysis;
  }

  set(sparql: string, cap: number, analysis: GateAnalysis): void {
    const key = keyOf(sparql, cap);
    const chars = key.length + (analysis.kind === 'query' ? analysis.sparql.length : 0);
    if (chars > this.maxChars) return;
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.chars -= old.chars;
    }
    // Callers read the analysis and never change it; frozen, a slip would throw instead of leak.
    if (analysis.kind === 'query') Object.freeze(analysis.services);
    this.entries.set(key, { analysis: Object.freeze(analysis), chars });
    this.chars += chars;
    for (const [k, e] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.chars <= this.maxChars) break;
      this.entries.delete(k);
      this.chars -= e.chars;
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

function keyOf(sparql: string, cap: number): string {
  return `${cap}\n${sparql}`;
}
