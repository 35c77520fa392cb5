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

/** What each directive does, for the OpenAPI description of every route that takes a question. */
export const DIRECTIVES_MARKDOWN = [
  '**Directives** may be written anywhere in the question as whole words; they are removed before the question reaches the model, and combine freely (e.g. `#chart #analyze`):',
  '- `#chart`: add a `chart` action (a compiled Vega-Lite spec, rows inlined) when the rows suit one, even with `enable_charts` off.',
  '- `#analyze`: compute statistics over all the rows (count, distinct, sum, mean, min, max, top values, shares) and give them to the model, as an `analytics` action too, even with `enable_analytics` off.',
  '- `#llm`: when the graph holds no answer, let the model answer from general knowledge, marked by a `background_knowledge` action, even with `enable_external_llm` off.',
  '- `#debug`: add the prompts, grounding, LLM calls and step durations as `debug_*` actions.',
].join('\n');
