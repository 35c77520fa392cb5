import type { KgTarget } from './kg-connection.js';

/** Connection id of the in-process store; apps without a configured connection use it. */
export const EMBEDDED_CONNECTION_ID = 'embedded';

/** The demo app's dataset: the CK25 corporate graph in the embedded store. */
export const DEMO_DATABASE = 'ck25';

export const DEMO_TARGET: KgTarget = Object.freeze({
  connection: Object.freeze({
    id: EMBEDDED_CONNECTION_ID,
    kind: 'embedded' as const,
    credential: Object.freeze({ kind: 'none' as const }),
  }),
  database: DEMO_DATABASE,
  reasoning: false,
  namedGraphs: [],
});
