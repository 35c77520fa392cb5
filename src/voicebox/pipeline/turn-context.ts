import type { KgRequestContext, KgTarget } from '../../knowledge-graph/kg-connection.js';
import type { LlmCallContext } from '../../llm/llm-types.js';
import type { AppKeyIdentity } from '../ask-types.js';
import type { Directive } from '../directives.js';
import type { TurnTrace } from './turn-trace.js';

/** What every step of one turn may need: who asks, which graph, and the per-request contexts. */
export interface TurnContext {
  identity: AppKeyIdentity;
  target: KgTarget;
  kg: KgRequestContext;
  llm: LlmCallContext;
  trace: TurnTrace;
  directives: ReadonlySet<Directive>;
}
