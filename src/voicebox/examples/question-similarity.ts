/**
 * How close an asked question is to a stored one, with no model: word and character-trigram cosine
 * of the normalised texts. The score doubles as the licence to answer directly (the pipeline's
 * DIRECT_ANSWER_SCORE, 0.95): it reaches 0.95 only when both questions carry the same content words
 * in the same order — names, numbers, negations, comparatives, question words — up to case, accents,
 * punctuation, a few filler words ("the", "is", "please", "show me") and a one-letter typo in a word
 * of five letters or more. Anything else, however alike ("… more than 100 …" and "… more than 200 …",
 * "Who manages X?" and "Whom does X manage?"), scores below it and is only a few-shot example.
 */

/** Words that do not change what is asked; kept out of the content sequence. */
const FILLER = new Set([
  'a',
  'an',
  'the',
  'is',
  'are',
  'was',
  'were',
  'be',
  'been',
  'do',
  'does',
  'did',
  'of',
  'in',
  'on',
  'at',
  'to',
  'for',
  'by',
  's',
  'please',
  'me',
  'us',
  'tell',
  'show',
  'give',
  'list',
  'find',
  'can',
  'could',
  'you',
  'would',
]);

/** The highest score of questions whose content words differ: below every direct-answer threshold. */
const DIFFERENT_CEILING = 0.9;

export interface PreparedQuestion {
  /** Lower-case, accent-free words. */
  words: string[];
  /** The words that carry the meaning, in order. */
  content: string[];
  trigrams: Map<string, number>;
}

export function prepareQuestion(text: string): PreparedQuestion {
  const words = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’]s\b/g, ' ')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  const trigrams = new Map<string, number>();
  for (const w of words) {
    const padded = ` ${w} `;
    for (let i = 0; i + 3 <= padded.length; i++) {
      const g = padded.slice(i, i + 3);
      trigrams.set(g, (trigrams.get(g) ?? 0) + 1);
    }
  }
  return { words, content: words.filter((w) => !FILLER.has(w)), trigrams };
}

/** Similarity in [0, 1]; ≥ 0.95 only for the same question in other words (see above). */
export function questionSimilarity(a: PreparedQuestion, b: PreparedQuestion): number {
  if (a.words.length === 0 || b.words.length === 0) return 0;
  const chars = cosine(a.trigrams, b.trigrams);
  if (sameContent(a.content, b.content)) return 0.95 + 0.05 * chars;
  const words = cosine(weighted(a.words), weighted(b.words));
  return DIFFERENT_CEILING * (0.6 * words + 0.4 * chars);
}

function sameContent(a: string[], b: string[]): boolean {
  if (a.length !== b.length || a.length === 0) return false;
  return a.every((w, i) => w === b[i] || typo(w, b[i]));
}

/** One substitution, insertion or deletion, in words of five letters or more, never in numbers. */
function typo(a: string, b: string): boolean {
  if (Math.min(a.length, b.length) < 5 || /\d/.test(a) || /\d/.test(b)) return false;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const rest = (x: string, skip: number) => x.slice(i + skip);
  return (
    rest(a, 1) === rest(b, 1) || // substitution
    rest(a, 1) === rest(b, 0) || // a has one more letter
    rest(a, 0) === rest(b, 1) // b has one more letter
  );
}

/** Filler words count a quarter of a content word. */
function weighted(words: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const w of words) m.set(w, (m.get(w) ?? 0) + (FILLER.has(w) ? 0.25 : 1));
  return m;
}

function cosine(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [k, v] of a) {
    na += v * v;
    const w = b.get(k);
    if (w !== undefined) dot += v * w;
  }
  for (const v of b.values()) nb += v * v;
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}
