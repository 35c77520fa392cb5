import type { AppRecord } from '../apps/app.types.js';
import type { ResolvedConnection } from '../apps/connection.types.js';
import { DEMO_TARGET } from '../knowledge-graph/demo-target.js';
import type { KgTarget } from '../knowledge-graph/kg-connection.js';

/** The dataset settings of an app, as both the stored record and the request's identity carry them. */
export type AppDataset = Pick<AppRecord, 'database' | 'reasoning' | 'namedGraphs' | 'model'>;

/**
 * The knowledge-graph target of an app: its resolved connection (or the embedded store when it has
 * none) plus the app's dataset settings. Apps and the knowledge-graph layer each keep their own
 * types; this is the one place they meet.
 */
export function kgTargetOf(app: AppDataset, connection: ResolvedConnection | null): KgTarget {
  return {
    connection: connection
      ? {
          id: connection.id,
          kind: connection.kind,
          endpoint: connection.endpoint ?? undefined,
          internalEndpoint: connection.internalEndpoint ?? undefined,
          credential: connection.credential,
        }
      : DEMO_TARGET.connection,
    database: app.database,
    reasoning: app.reasoning,
    namedGraphs: app.namedGraphs,
    model: app.model ?? undefined,
  };
}
