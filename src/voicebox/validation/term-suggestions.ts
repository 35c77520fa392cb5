import { namespaceOf } from './standard-vocabularies.js';

export interface Candidate {
  iri: string;
  /** Label and comment, when known. */
  text: string;
}

const MIN_SCORE = 0.3;
const MAX_GAP = 0.2;

/**
 * The candidates closest to an unknown IRI: by spelling of the local name (edit distance, so
 * `hasManger` finds `hasManager`), and by the local name's words appearing in a candidate's name,
 * label or comment (so `department` finds `memberOf`, "The department to which an agent belongs").
 */
export function closestTerms(iri: string, candidates: Candidate[], limit = 3): string[] {
  const local = localName(iri);
  const wanted = wordsOf(local);
  const ranked = candidates
    .map((c) => ({ iri: c.iri, score: score(local, wanted, c) }))
    .filter((c) => c.score >= MIN_SCORE && c.iri !== iri)
    .sort((a, b) => b.score - a.score || a.iri.localeCompare(b.iri));
  // A clear winner (a one-letter typo) is named alone: more names would only distract the model.
  const floor = (ranked[0]?.score ?? 0) - MAX_GAP;
  return ranked
    .filter((c) => c.score >= floor)
    .slice(0, limit)
    .map((c) => c.iri);
}

function score(local: string, wanted: string[], c: Candidate): number {
  const other = localName(c.iri);
  const a = local.toLowerCase();
  const b = other.toLowerCase();
  const spelling = 1 - distance(a, b) / Math.max(a.length, b.length, 1);
  if (wanted.length === 0) return spelling;
  const nameWords = new Set(wordsOf(other));
  const textWords = new Set(wordsOf(c.text));
  let hits = 0;
  for (const w of wanted) {
    if (nameWords.has(w)) hits += 1;
    else if (textWords.has(w)) hits += 0.6;
  }
  return Math.max(spelling, hits / wanted.length);
}

export function localName(iri: string): string {
  const ns = namespaceOf(iri);
  return ns === iri ? iri : iri.slice(ns.length);
}

const STOP = new Set(['a', 'an', 'the', 'of', 'to', 'in', 'is', 'has', 'by', 'for', 'and', 'or']);

/** Lower-case words of a camelCase / snake_case name or a sentence, crudely singular. */
function wordsOf(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 1 && !STOP.has(w))
    .map((w) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w));
}

/** Levenshtein distance, two rows. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
