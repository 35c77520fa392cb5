/**
 * Bounds a query must keep before it is parsed at all. sparqljs is a generated parser whose work grows
 * much faster than the text with nesting: 12 KB of nested groups kept a thread busy for over a minute
 * and then overflowed the stack. A scan of the text is linear and cannot be driven into that.
 */
export const MAX_QUERY_BYTES = 64 * 1024;
/** Groups, parentheses and brackets open at once; written queries stay far below. */
export const MAX_QUERY_NESTING = 32;

export interface QueryBoundsProblem {
  bound: 'size' | 'nesting';
  limit: number;
  message: string;
}

/**
 * The first bound the text breaks, or undefined. Nesting counts `{ ( [` outside string literals,
 * IRIs and comments, so an IRI or a literal full of braces is not mistaken for depth.
 */
export function queryBoundsProblem(sparql: string): QueryBoundsProblem | undefined {
  // A UTF-8 character takes at most 3 bytes per UTF-16 unit: skip the count for short texts.
  if (sparql.length * 3 > MAX_QUERY_BYTES && Buffer.byteLength(sparql, 'utf8') > MAX_QUERY_BYTES) {
    return {
      bound: 'size',
      limit: MAX_QUERY_BYTES,
      message: `The SPARQL query is over ${MAX_QUERY_BYTES} bytes.`,
    };
  }
  const depth = maxNesting(sparql, MAX_QUERY_NESTING);
  if (depth > MAX_QUERY_NESTING) {
    return {
      bound: 'nesting',
      limit: MAX_QUERY_NESTING,
      message: `The SPARQL query nests groups, parentheses or brackets more than ${MAX_QUERY_NESTING} deep.`,
    };
  }
  return undefined;
}

/** An IRI reference as the grammar has it (IRIREF): what `<` starts when it is not "less than". */
// eslint-disable-next-line no-control-regex -- the grammar's IRIREF excludes control characters
const IRIREF = /<[^<>"{}|^`\\\u0000-\u0020]*>/y;

/** The deepest nesting of `{ ( [`, stopping early once past `stopAbove`. */
function maxNesting(text: string, stopAbove: number): number {
  let depth = 0;
  let max = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '{' || c === '(' || c === '[') {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > stopAbove) return max;
      }
      i++;
    } else if (c === '}' || c === ')' || c === ']') {
      if (depth > 0) depth--;
      i++;
    } else if (c === '#') {
      const end = text.indexOf('\n', i);
      i = end === -1 ? n : end + 1;
    } else if (c === '"' || c === "'") {
      i = skipString(text, i, c);
    } else if (c === '<') {
      IRIREF.lastIndex = i;
      i = IRIREF.test(text) ? IRIREF.lastIndex : i + 1;
    } else {
      i++;
    }
  }
  return max;
}

/** The index just past the string literal opening at `start` (short or long form, with escapes). */
function skipString(text: string, start: number, quote: string): number {
  const long = text.startsWith(quote.repeat(3), start);
  let i = start + (long ? 3 : 1);
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') {
      i += 2;
    } else if (long ? text.startsWith(quote.repeat(3), i) : c === quote) {
      return i + (long ? 3 : 1);
    } else if (!long && (c === '\n' || c === '\r')) {
      // A short string cannot span lines: the text is malformed; let the parser say so.
      return i;
    } else {
      i++;
    }
  }
  return i;
}
