import type { Logger } from 'pino';
import { DomainError } from '../../common/errors/domain-error.js';
import { effectiveEndpoint } from '../kg-connection.js';
import { authorizationHeader } from './credentials.js';
import { httpStatusError, parseSparqlAnswer, sparqlFetch, type HttpCall } from './sparql-http.js';
import { ACCEPT_BY_FORM, SparqlStore, type StoreQuery, type StoreResult } from './sparql-store.js';

/**
 * Any SPARQL 1.1 protocol endpoint (GraphDB, Fuseki, Virtuoso, Oxigraph server, Neptune), by its
 * query URL. No server-side timeout parameter: the protocol has none and each engine spells its own
 * differently (seconds here, milliseconds there), so the deadline is enforced locally only.
 */
export class Sparql11Store extends SparqlStore {
  readonly kind = 'sparql' as const;

  constructor(private readonly log: Logger) {
    super();
  }

  async execute(q: StoreQuery): Promise<StoreResult> {
    const { connection } = q.target;
    const url = effectiveEndpoint(connection);
    if (!url) {
      throw new DomainError(
        'unavailable',
        'kg.connection_incomplete',
        `Connection '${connection.id}' has no endpoint; set its SPARQL query URL.`,
      );
    }
    const body = new URLSearchParams({ query: q.sparql });
    for (const g of q.target.namedGraphs) {
      body.append('default-graph-uri', g);
      body.append('named-graph-uri', g);
    }
    const headers: Record<string, string> = { accept: ACCEPT_BY_FORM[q.form] };
    const authorization = authorizationHeader(connection, q.ctx);
    if (authorization) headers.authorization = authorization;
    const call: HttpCall = {
      url,
      method: 'POST',
      headers,
      body,
      timeoutMs: q.timeoutMs,
      maxResponseBytes: q.maxResponseBytes,
      ctx: q.ctx,
      connection,
    };
    const res = await sparqlFetch(call);
    if (!res.ok) {
      throw await httpStatusError(
        res,
        call,
        this.log,
        () =>
          new DomainError(
            'not_found',
            'kg.endpoint_not_found',
            `The SPARQL endpoint of connection '${connection.id}' answered 404; check the query URL.`,
          ),
      );
    }
    return parseSparqlAnswer(res, q.form, call);
  }
}
