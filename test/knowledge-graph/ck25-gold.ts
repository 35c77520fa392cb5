import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const CK25_DATA_DIR = fileURLToPath(new URL('../../data/ck25/', import.meta.url));

export interface GoldQuestion {
  id: number;
  question: string;
  sparql: string;
}

/** The 25 dev questions of CK25 with their gold SPARQL. */
export function goldQuestions(): GoldQuestion[] {
  const doc = parse(readFileSync(`${CK25_DATA_DIR}questions-dev.yml`, 'utf8')) as {
    questions: { id: number; question: { en: string }; query: { sparql: string } }[];
  };
  return doc.questions.map((q) => ({ id: q.id, question: q.question.en, sparql: q.query.sparql }));
}

/** The challenge's scoring: every value of every binding, flattened into a set. */
export function valueSet(result: {
  form: string;
  boolean?: boolean;
  results?: { bindings: Record<string, { value: string }>[] };
}): Set<string> {
  if (result.form === 'ASK') return new Set([String(result.boolean)]);
  const out = new Set<string>();
  for (const b of result.results?.bindings ?? [])
    for (const t of Object.values(b)) out.add(t.value);
  return out;
}
