import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sparqljs from 'sparqljs';
import { parse } from 'yaml';
import { collectQueryTerms } from '../../src/voicebox/validation/query-terms.js';
import {
  isStandardNamespace,
  namespaceOf,
} from '../../src/voicebox/validation/standard-vocabularies.js';

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

/** The IRIs a gold query names, by role: what grounding must put in front of the model. */
export interface GoldTerms {
  classes: string[];
  properties: string[];
  /** Every other IRI of a graph pattern or expression: the resources the question names. */
  instances: string[];
}

/** `schemaTerms`: the graph's classes and properties, never counted as instances wherever they occur. */
export function goldTerms(sparql: string, schemaTerms: ReadonlySet<string> = new Set()): GoldTerms {
  const terms = collectQueryTerms(new sparqljs.Parser().parse(sparql));
  const own = (iris: Set<string>) => [...iris].filter((i) => !isStandardNamespace(namespaceOf(i)));
  return {
    classes: own(terms.classes),
    properties: own(terms.properties),
    instances: own(terms.others).filter((i) => !schemaTerms.has(i)),
  };
}
