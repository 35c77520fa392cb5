import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { RequestValidationError, type FieldProblem } from '../../common/errors/domain-error.js';
import type { ExampleInput } from './example.types.js';

/**
 * Example queries from a YAML (or JSON) file, in either of two shapes:
 *
 *   examples:                     # ours (a bare list works too)
 *     - question: Who manages Heinrich Hoch?
 *       sparql: SELECT …
 *
 *   questions:                    # the Text2SPARQL / CK25 question files (data/ck25/questions-dev.yml)
 *     - question: { en: Who manages Heinrich Hoch? }
 *       query: { sparql: SELECT … }
 *
 * A question given in several languages becomes one example per language. Problems name the entry.
 */
export async function readExampleFile(path: string): Promise<ExampleInput[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    // "no such file or directory", "permission denied", "is a directory": the OS's own words.
    throw new RequestValidationError([
      { field: 'file', reason: `cannot be read: ${(err as Error).message}` },
    ]);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new RequestValidationError([
      { field: 'file', reason: `is not YAML or JSON: ${(err as Error).message}` },
    ]);
  }
  return examplesOf(doc);
}

export function examplesOf(doc: unknown): ExampleInput[] {
  const record = isRecord(doc) ? doc : {};
  const list = Array.isArray(doc) ? doc : (record.examples ?? record.questions);
  const key = Array.isArray(doc) ? '' : record.examples !== undefined ? 'examples' : 'questions';
  if (!Array.isArray(list)) {
    throw new RequestValidationError([
      { field: 'file', reason: 'holds no list of examples (expected `examples:` or `questions:`)' },
    ]);
  }
  const out: ExampleInput[] = [];
  const problems: FieldProblem[] = [];
  list.forEach((entry: unknown, i) => {
    const at = `${key}[${i}]`;
    const e = isRecord(entry) ? entry : {};
    const sparql =
      typeof e.sparql === 'string' ? e.sparql : isRecord(e.query) ? e.query.sparql : undefined;
    const questions =
      typeof e.question === 'string'
        ? [e.question]
        : isRecord(e.question)
          ? Object.values(e.question).filter((q): q is string => typeof q === 'string')
          : [];
    if (typeof sparql !== 'string' || !sparql.trim()) {
      problems.push({ field: `${at}.sparql`, reason: 'must be a non-empty string' });
    }
    if (questions.length === 0 || questions.some((q) => !q.trim())) {
      problems.push({
        field: `${at}.question`,
        reason: 'must be a non-empty string (or one per language)',
      });
    }
    if (typeof sparql === 'string')
      for (const question of questions) out.push({ question, sparql });
  });
  if (problems.length) throw new RequestValidationError(problems);
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
