import type { LlmMessage } from '../llm/llm-types.js';
import type { LinkedEntity } from './grounding/entity-linker.js';
import type { ExampleQuery } from './grounding/example-queries.js';

/**
 * Every prompt the pipeline sends, in one place so they can be read and tuned together. Plain
 * strings: the model sees exactly what is written here plus the grounding.
 */

export interface HistoryTurn {
  question: string;
  standaloneQuestion: string;
  answer: string;
}

export function rewritePrompt(history: HistoryTurn[], question: string): LlmMessage[] {
  const past = history
    .map((t, i) => `${i + 1}. Q: ${t.standaloneQuestion}\n   A: ${t.answer.slice(0, 400)}`)
    .join('\n');
  return [
    {
      role: 'system',
      content:
        'You rewrite a follow-up question into a standalone question that can be understood without the conversation. ' +
        'Resolve pronouns and references ("he", "that department", "and the others?") from the conversation. ' +
        'Keep names, numbers and wording otherwise unchanged. If the question already stands alone, return it as it is. ' +
        'Reply with the standalone question only.',
    },
    { role: 'user', content: `Conversation so far:\n${past}\n\nFollow-up question: ${question}` },
  ];
}

export interface SparqlPromptInput {
  question: string;
  schemaText: string;
  entities: LinkedEntity[];
  examples: ExampleQuery[];
}

export function sparqlPrompt(input: SparqlPromptInput): LlmMessage[] {
  const entities = input.entities.length
    ? input.entities
        .map(
          (e) =>
            `- "${e.matched}" → <${e.iri}> (${e.label}; ${e.types.map((t) => `<${t}>`).join(', ')})`,
        )
        .join('\n')
    : '(none found; match names with rdfs:label or other label properties if needed)';
  const examples = input.examples.length
    ? input.examples.map((e) => `Question: ${e.question}\n${fence(e.sparql)}`).join('\n\n')
    : '';
  return [
    {
      role: 'system',
      content:
        'You translate a question into one SPARQL 1.1 query over the knowledge graph described below. ' +
        'Use only the classes and properties listed in the schema, and the entity IRIs given. ' +
        'Declare every prefix you use. Write a read-only query (SELECT or ASK); never INSERT, DELETE or other updates. ' +
        'Select the IRIs of the resources you return together with their labels when they have any. ' +
        'Reply with the query in one ```sparql code block and nothing else.\n\n' +
        `Schema:\n${input.schemaText}\n\nEntities named in the question:\n${entities}` +
        (examples ? `\n\nExamples of questions and their queries:\n${examples}` : ''),
    },
    { role: 'user', content: input.question },
  ];
}

/** The model's previous query and what is wrong with it, in plain words, asking for a fix. */
export function repairMessages(sparql: string, problems: string[]): LlmMessage[] {
  return [
    { role: 'assistant', content: fence(sparql) },
    {
      role: 'user',
      content:
        `That query cannot be used:\n${problems.map((p) => `- ${p}`).join('\n')}\n` +
        'Write a corrected query, using only the schema and entities given. Reply with the query in one ```sparql code block.',
    },
  ];
}

export interface AnswerPromptInput {
  question: string;
  sparql: string;
  rowsText: string;
  rowCount: number;
  truncated: boolean;
  entities: LinkedEntity[];
  /** Statistics over all the rows, computed by the service. */
  statistics?: string;
}

export function answerPrompt(input: AnswerPromptInput): LlmMessage[] {
  const entities = input.entities.map((e) => `- ${e.label}: ${e.iri}`).join('\n');
  return [
    {
      role: 'system',
      content:
        'You answer the question from the query results only, in concise markdown. Do not add facts that are not in the results. ' +
        'Whenever you mention a resource whose IRI appears in the results, write it as a markdown link with its IRI as the target, ' +
        'e.g. [Karen Brant](http://example.org/empl-Karen.Brant). Never link to an IRI that is not in the results or the entity list. ' +
        (input.truncated ? 'The results were cut; say that the list may be incomplete. ' : '') +
        (input.statistics
          ? 'Statistics computed over all the rows are given: take counts, totals, averages, minima, maxima and shares from them, never add up the rows yourself. '
          : ''),
    },
    {
      role: 'user',
      content:
        `Question: ${input.question}\n\nQuery:\n${fence(input.sparql)}\n\n` +
        `Results (${input.rowCount} row${input.rowCount === 1 ? '' : 's'}):\n${input.rowsText}` +
        (input.statistics
          ? `\n\nStatistics over all ${input.rowCount} rows (computed by the service):\n${input.statistics}`
          : '') +
        (entities ? `\n\nEntities named in the question:\n${entities}` : ''),
    },
  ];
}

function fence(sparql: string): string {
  return '```sparql\n' + sparql.trim() + '\n```';
}

/** The query in a reply: the first ```sparql (or bare ```) block, else the whole reply. */
export function sparqlOfReply(reply: string): string {
  const block = /```(?:sparql)?[ \t]*\n([\s\S]*?)```/i.exec(reply);
  return (block ? block[1] : reply).trim();
}
