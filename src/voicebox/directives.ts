/** Directives a user may write into a question, as Stardog Voicebox users do (`#debug …`). */
export type Directive = 'debug' | 'chart' | 'analyze' | 'llm';

const KNOWN: ReadonlySet<string> = new Set<Directive>(['debug', 'chart', 'analyze', 'llm']);

// A directive is a whole word: `#debug` at the start, the end or between spaces; `C#` or `#debugger` is text.
const DIRECTIVE = /(^|\s)#([a-z]+)(?=\s|$)/gi;

export interface ParsedQuestion {
  /** The question without its directives, whitespace tidied. */
  question: string;
  directives: Set<Directive>;
}

/** Splits the known directives off a question; unknown `#words` stay part of the question. */
export function parseDirectives(text: string): ParsedQuestion {
  const directives = new Set<Directive>();
  const question = text.replace(DIRECTIVE, (whole, lead: string, word: string) => {
    const name = word.toLowerCase();
    if (!KNOWN.has(name)) return whole;
    directives.add(name as Directive);
    return lead;
  });
  return { question: question.replace(/\s+/g, ' ').trim(), directives };
}
