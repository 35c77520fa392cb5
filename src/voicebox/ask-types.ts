import type { Identity } from '../auth/identity.js';
import type { RequestAudit } from '../observability/request-audit.js';
import type { HistoryTurn } from './prompts.js';

/** The caller of the ask pipeline: always an app key (both auth modes end there). */
export type AppKeyIdentity = Extract<Identity, { kind: 'app-key' }>;

/** One question to the pipeline, from any face (HTTP, OpenAI-compatible route, MCP, gateway). */
export interface AskInput {
  question: string;
  conversationId?: string;
  /** Earlier turns sent by the client itself (OpenAI-style messages) instead of stored ones. */
  history?: HistoryTurn[];
  identity: AppKeyIdentity;
  audit?: RequestAudit;
}

/** Something the client may show or use beside the answer; clients ignore types they do not know. */
export interface AskAction {
  type: string;
  label: string;
  value: unknown;
  [extra: string]: unknown;
}

/** The answer, in the contract's shape. */
export interface AskAnswer {
  result: string;
  conversation_id: string;
  message_id: string;
  actions: AskAction[];
}

/** One NDJSON line of a streamed answer: the answer so far. */
export type AskEvent = AskAnswer & { pending: boolean };

/** Action types the pipeline writes (others may add their own). */
export const ACTION = {
  sparql: { type: 'sparql', label: 'SPARQL Query' },
  rewritten: { type: 'rewritten_query', label: 'Interpreted Question' },
  entities: { type: 'entities', label: 'Linked Entities' },
  rowCount: { type: 'row_count', label: 'Rows' },
  problem: { type: 'query_problem', label: 'Query Problem' },
  status: { type: 'status', label: 'Status' },
  /** A Vega-Lite spec with the rows inlined (`chart_type`: bar, line or point). */
  chart: { type: 'chart', label: 'Chart' },
  /** Statistics the service computed over all the rows. */
  statistics: { type: 'analytics', label: 'Statistics' },
  /** The answer comes from the model's general knowledge, not from the graph. */
  background: { type: 'background_knowledge', label: 'Not from the Knowledge Graph' },
} as const;

export function action(
  kind: keyof typeof ACTION,
  value: unknown,
  extra: Record<string, unknown> = {},
): AskAction {
  return { ...ACTION[kind], value, ...extra };
}
