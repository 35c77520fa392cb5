/**
 * An answer may link only to IRIs that the query returned or that entity linking found: a link the
 * model invented is removed (its text stays), so a user never follows a made-up IRI.
 */
const LINK = /\[([^\]\n]*)\]\(\s*<?([^()\s<>]+)>?(?:\s+"[^"]*")?\s*\)/g;

export interface CitationCheck {
  text: string;
  removed: string[];
}

export function keepKnownLinks(markdown: string, allowed: ReadonlySet<string>): CitationCheck {
  const known = new Set([...allowed].map(normalise));
  const removed: string[] = [];
  const text = markdown.replace(LINK, (whole, label: string, target: string) => {
    if (known.has(normalise(target))) return whole;
    removed.push(target);
    return label;
  });
  return { text, removed };
}

/**
 * The part of a growing answer that can be shown: a link still being written (an opening bracket
 * with no complete link after it) is held back until it is complete and has been checked.
 */
export function settledPrefix(text: string): string {
  const open = text.lastIndexOf('[');
  if (open < 0) return text;
  const tail = text.slice(open);
  if (/^\[[^\]\n]*\]\([^)]*\)/.test(tail)) return text;
  // Brackets closed and not followed by "(": plain text, not a link.
  if (/^\[[^\]\n]*\][^(]/.test(tail) || /\n/.test(tail)) return text;
  return text.slice(0, open);
}

/** `%40` and `@` name the same IRI for a reader; compare them alike. */
function normalise(iri: string): string {
  try {
    return decodeURIComponent(iri);
  } catch {
    return iri;
  }
}
