/**
 * How a question's words and a graph's names are brought to one form before they are compared:
 * case, accents and punctuation folded, possessives and plurals cut, honorifics and function words
 * dropped, IRI local names decoded (`empl-Karen.Brant%40company.org` → karen brant company org).
 */

/** Letters NFKD leaves whole. */
const LIGATURES: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
};

/** Titles that name nobody ("Ms. Brant" is Brant). */
const HONORIFICS = new Set(
  'mr mrs ms miss mx dr prof professor sir madam dame lord lady herr frau mister mrs'.split(' '),
);

/** Words of a question that name nothing in a graph. */
const STOPWORDS = new Set(
  `a an the of in on at to for from by with without and or not no nor is are was were be been being am
  do does did done have has had having which who whom whose what when where why how many much there
  their theirs our ours we us i me my mine you your yours it its this that these those any all each
  every per than then as into onto about over under between give show list tell find get got can could
  would should will shall may might must please only same other others most more less least also some
  such both either neither one ones s let lets want need like just very still yet else did does
  if whether so too up down out off again further once here them they he she him her his hers`.split(
    /\s+/,
  ),
);

/** Lower case, accents and ligatures folded. */
export function foldCase(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßæœøłđðþı]/g, (c) => LIGATURES[c] ?? c);
}

/**
 * English plurals to their singular, just enough that "Switches" meets "Switch" and "Sensors" meets
 * "Sensor"; short words and Latin-looking endings (status, analysis) are left alone.
 */
export function stem(token: string): string {
  if (token.length <= 3 || /\d/.test(token)) return token;
  if (token.endsWith('ies') && token.length > 4) return token.slice(0, -3) + 'y';
  if (/(ches|shes|sses|xes|zes)$/.test(token)) return token.slice(0, -2);
  if (token.endsWith('s') && !/(ss|us|is)$/.test(token)) return token.slice(0, -1);
  return token;
}

export interface WordToken {
  /** Folded and stemmed: what is compared. */
  norm: string;
  /** As written, punctuation removed: an all-capitals word may be an acronym ("US"). */
  raw: string;
}

/** Splits text into words: possessives cut, camelCase and punctuation split, case folded. */
export function words(text: string): WordToken[] {
  const spaced = text
    .replace(/(\p{L})['’]s\b/gu, '$1')
    .replace(/(\p{L})s['’](?=\s|$)/gu, '$1s')
    .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2');
  const out: WordToken[] = [];
  for (const raw of spaced.split(/[^\p{L}\p{N}]+/u)) {
    if (!raw) continue;
    const folded = foldCase(raw);
    // Folding may leave characters that are not letters or digits (rare scripts): split again.
    for (const part of folded.split(/[^\p{L}\p{N}]+/u)) {
      if (part) out.push({ norm: stem(part), raw });
    }
  }
  return out;
}

/** The words of a question that may name something: function words and honorifics dropped. */
export function contentWords(question: string): WordToken[] {
  return words(question).filter(
    (w) =>
      !HONORIFICS.has(w.norm) &&
      (isAcronym(w.raw) || (!STOPWORDS.has(w.norm) && !STOPWORDS.has(foldCase(w.raw)))),
  );
}

/** The normalised words of a name (label, identifier, local name), as a set in order. */
export function nameTokens(text: string): string[] {
  return [...new Set(words(text).map((w) => w.norm))];
}

/**
 * The last segment of an IRI, percent-decoded, as words: `…/empl-Karen.Brant%40company.org` →
 * "empl Karen Brant company org". Empty when the IRI ends in a separator.
 */
export function localName(iri: string): string {
  const trimmed = iri.replace(/[/#]+$/, '');
  const cut = Math.max(
    trimmed.lastIndexOf('/'),
    trimmed.lastIndexOf('#'),
    trimmed.lastIndexOf(':'),
  );
  const tail = trimmed.slice(cut + 1);
  let decoded = tail;
  try {
    decoded = decodeURIComponent(tail);
  } catch {
    // A stray '%' is not an escape: keep the text as it is.
  }
  return decoded.replace(/[_\-.@+~=,;]+/g, ' ').trim();
}

/** Is a written word an acronym worth matching against initials ("US", "HR", "IBM")? */
export function isAcronym(raw: string): boolean {
  return raw.length >= 2 && raw.length <= 5 && /^\p{Lu}+$/u.test(raw);
}

/** Edit distance with transpositions (optimal string alignment), giving up beyond `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const prev2 = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, prev2[j - 2] + 1);
      }
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
    for (let j = 0; j <= b.length; j++) prev2[j] = prev[j];
    prev = cur;
  }
  return prev[b.length];
}

/** Character trigrams of a word, padded so short words and word starts count. */
export function trigrams(token: string): string[] {
  const padded = `  ${token} `;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3));
  return [...out];
}
