import type { GraphSchema } from '../../knowledge-graph/schema/graph-schema.js';
import type { LinkedEntity } from './entity-linker.js';

/** The part of the schema given to the model, as text, with what it names and its size. */
export interface SchemaContext {
  text: string;
  classes: string[];
  properties: string[];
  tokens: number;
}

export interface SchemaRetrievalQuery {
  question: string;
  schema: GraphSchema;
  entities: LinkedEntity[];
  budgetTokens: number;
}

/** Port: picks the classes and properties a question needs. The grounding branch binds a real one. */
export abstract class SchemaRetriever {
  abstract retrieve(q: SchemaRetrievalQuery): SchemaContext;
}

/** A rough token count (about four characters a token), enough for budgets and debug output. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * Default: the whole schema, one line per class and property with label, comment, domain and
 * range, cut at the budget. Fine for a small ontology such as CK25 (50 predicates).
 */
export class WholeSchemaRetriever extends SchemaRetriever {
  retrieve(q: SchemaRetrievalQuery): SchemaContext {
    const lines: string[] = [];
    const classes: string[] = [];
    const properties: string[] = [];
    const budgetChars = q.budgetTokens * 4;
    let size = 0;
    const add = (line: string): boolean => {
      if (size + line.length + 1 > budgetChars) return false;
      lines.push(line);
      size += line.length + 1;
      return true;
    };
    add('Classes:');
    for (const c of q.schema.classes) {
      const sup = c.superClasses.length ? ` subClassOf ${c.superClasses.map(iri).join(', ')}` : '';
      if (!add(`- ${iri(c.iri)}${describe(c.label, c.comment)}${sup}`)) break;
      classes.push(c.iri);
    }
    add('Properties:');
    for (const p of q.schema.properties) {
      const dom = p.domains.length ? ` domain ${p.domains.map(iri).join(', ')}` : '';
      const rng = p.ranges.length ? ` range ${p.ranges.map(iri).join(', ')}` : '';
      if (!add(`- ${iri(p.iri)} (${p.kind})${describe(p.label, p.comment)}${dom}${rng}`)) break;
      properties.push(p.iri);
    }
    const text = lines.join('\n');
    return { text, classes, properties, tokens: estimateTokens(text) };
  }
}

const iri = (s: string) => `<${s}>`;

function describe(label?: string, comment?: string): string {
  const parts = [label && `"${label}"`, comment && `: ${comment.replace(/\s+/g, ' ')}`];
  return parts.some(Boolean) ? ` ${parts.filter(Boolean).join('')}` : '';
}
