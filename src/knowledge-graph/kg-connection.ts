/**
 * What the knowledge-graph layer needs to know of a connection. The apps module owns connections
 * (stored, encrypted, administered); it hands this plain shape over for each request.
 */
export type KgConnectionKind = 'stardog' | 'sparql' | 'embedded';

export type KgCredential =
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'bearer'; token: string }
  /** Single sign-on: the user's own `X-SD-Auth-Token` is the only credential. */
  | { kind: 'sso' }
  | { kind: 'none' };

export interface KgConnection {
  id: string;
  kind: KgConnectionKind;
  /** Public endpoint: the Stardog server root, or the SPARQL 1.1 query URL. */
  endpoint?: string;
  /** Used instead of `endpoint` when set (e.g. a cluster-internal address). */
  internalEndpoint?: string;
  credential: KgCredential;
}

/** A connection plus the dataset an app queries. */
export interface KgTarget {
  connection: KgConnection;
  /** Stardog database; ignored by SPARQL 1.1 endpoints and the embedded store. */
  database?: string;
  reasoning: boolean;
  /** When non-empty, the query's dataset: their union is the default graph. */
  namedGraphs: string[];
  /** Stardog model (Voicebox app setting); part of the schema cache key. */
  model?: string;
}

/** Per-request context. */
export interface KgRequestContext {
  /** `X-SD-Auth-Token` of the request: overrides the stored credential. */
  sdAuthToken?: string;
  signal?: AbortSignal;
  /** For logs only. */
  requestUser?: string;
  /** Told the store's own time of each query (ms), e.g. to separate it from the caller's overhead. */
  onStoreTime?: (ms: number) => void;
}

export function effectiveEndpoint(connection: KgConnection): string | undefined {
  return connection.internalEndpoint ?? connection.endpoint;
}
