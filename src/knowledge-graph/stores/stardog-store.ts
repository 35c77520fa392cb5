import type { Logger } from 'pino';
import { DomainError } from '../../common/errors/domain-error.js';
import { effectiveEndpoint, type KgConnection, type KgRequestContext } from '../kg-connection.js';
import { basic, ssoTokenMissing } from './credentials.js';
import {
  credentialRefused,
  httpStatusError,
  parseSparqlAnswer,
  sparqlFetch,
  type HttpCall,
} from './sparql-http.js';
import { ACCEPT_BY_FORM, SparqlStore, type StoreQuery, type StoreResult } from './sparql-store.js';
import { StardogTokenCache } from './stardog-token-cache.js';

/** Stardog's HTTP protocol: `POST {endpoint}/{database}/query`, JWTs from `/admin/token`. */
export class StardogStore extends SparqlStore {
  readonly kind = 'stardog' as const;

  constructor(
    private readonly log: Logger,
    private readonly tokens = new StardogTokenCache(),
  ) {
    super();
  }

  async execute(q: StoreQuery): Promise<StoreResult> {
    const { connection, database } = q.target;
    const base = baseUrl(connection);
    if (!database) {
      throw new DomainError(
        'invalid_input',
        'kg.database_missing',
        `Connection '${connection.id}' is a Stardog connection: the app must name a database.`,
      );
    }
    const body = new URLSearchParams({
      query: q.sparql,
      reasoning: String(q.target.reasoning),
      timeout: String(q.timeoutMs),
    });
    for (const g of q.target.namedGraphs) {
      body.append('default-graph-uri', g);
      body.append('named-graph-uri', g);
    }
    const call = (authorization: string): HttpCall => ({
      url: `${base}/${encodeURIComponent(database)}/query`,
      method: 'POST',
      headers: {
        accept: ACCEPT_BY_FORM[q.form],
        ...(authorization ? { authorization } : {}),
      },
      body,
      timeoutMs: q.timeoutMs,
      // A little beyond the server's own timeout, so Stardog's own timeout error wins when it can.
      graceMs: 1000,
      maxResponseBytes: q.maxResponseBytes,
      ctx: q.ctx,
      connection,
    });
    const notFound = () =>
      new DomainError(
        'not_found',
        'kg.database_not_found',
        `Database '${database}' does not exist on the Stardog server of connection '${connection.id}' (or the credential may not see it).`,
      );

    const auth = await this.authorization(connection, q.ctx, base, q);
    let res = await sparqlFetch(call(auth.header));
    if (res.status === 401 && auth.renew) {
      // The cached JWT was refused (revoked, server key rotated): get a new one, once.
      auth.renew();
      const again = await this.authorization(connection, q.ctx, base, q);
      res = await sparqlFetch(call(again.header));
    }
    if (!res.ok) {
      const err = await httpStatusError(res, call(''), this.log, notFound);
      throw stardogTimeout(err, res.status) ?? err;
    }
    return parseSparqlAnswer(res, q.form, call(''));
  }

  private async authorization(
    connection: KgConnection,
    ctx: KgRequestContext,
    base: string,
    limits: Pick<StoreQuery, 'timeoutMs' | 'maxResponseBytes'>,
  ): Promise<{ header: string; renew?: () => void }> {
    if (ctx.sdAuthToken) return { header: `Bearer ${ctx.sdAuthToken}` };
    const c = connection.credential;
    switch (c.kind) {
      case 'bearer':
        return { header: `Bearer ${c.token}` };
      case 'sso':
        throw ssoTokenMissing(connection);
      case 'none':
        return { header: '' };
      case 'basic': {
        const key = this.tokens.key(base, c.username, c.password);
        const token = await this.tokens.get(key, () =>
          this.issueToken(connection, base, basic(c.username, c.password), ctx, limits),
        );
        return { header: `Bearer ${token}`, renew: () => this.tokens.invalidate(key, token) };
      }
    }
  }

  private async issueToken(
    connection: KgConnection,
    base: string,
    basicHeader: string,
    ctx: KgRequestContext,
    limits: Pick<StoreQuery, 'timeoutMs' | 'maxResponseBytes'>,
  ): Promise<string> {
    const call: HttpCall = {
      url: `${base}/admin/token`,
      method: 'GET',
      headers: { accept: 'application/json', authorization: basicHeader },
      timeoutMs: Math.min(limits.timeoutMs, 30_000),
      maxResponseBytes: limits.maxResponseBytes,
      // The issuance is shared by concurrent requests: one caller's cancellation must not fail others.
      ctx: { ...ctx, signal: undefined },
      connection,
    };
    const res = await sparqlFetch(call);
    if (res.status === 401 || res.status === 403) {
      await res.text();
      this.log.warn(
        { connection: connection.id, status: res.status },
        'stardog refused the basic credential',
      );
      throw credentialRefused(connection, false);
    }
    if (!res.ok) {
      throw await httpStatusError(
        res,
        call,
        this.log,
        () =>
          new DomainError(
            'dependency_failed',
            'kg.token_endpoint_missing',
            `The Stardog server of connection '${connection.id}' has no /admin/token endpoint; is the endpoint a Stardog server?`,
          ),
      );
    }
    const json = (await res.json().catch(() => ({}))) as { token?: unknown };
    if (typeof json.token !== 'string' || json.token === '') {
      throw new DomainError(
        'dependency_failed',
        'kg.token_invalid',
        `The Stardog server of connection '${connection.id}' answered /admin/token without a token.`,
      );
    }
    return json.token;
  }
}

function baseUrl(connection: KgConnection): string {
  const endpoint = effectiveEndpoint(connection);
  if (!endpoint) {
    throw new DomainError(
      'unavailable',
      'kg.connection_incomplete',
      `Connection '${connection.id}' has no endpoint; set its endpoint (or internal endpoint).`,
    );
  }
  return endpoint.replace(/\/+$/, '');
}

/** Stardog reports its own query timeout as a 500 with a code such as `QueryEval` and "timeout". */
function stardogTimeout(err: DomainError, status: number): DomainError | undefined {
  if (status >= 500 && /time(d)? ?out|exceeded/i.test(err.message)) {
    return new DomainError(
      'dependency_timeout',
      'kg.timeout',
      err.message.replace(
        /^The knowledge graph failed to run the query \(HTTP \d+\): /,
        'The knowledge graph timed out: ',
      ),
      { cause: err },
    );
  }
  return undefined;
}
