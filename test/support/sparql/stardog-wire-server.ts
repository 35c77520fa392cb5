import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import oxigraph from 'oxigraph';

export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string;
  accept?: string;
  /** Form fields of a query POST, each with all its values. */
  form: Record<string, string[]>;
}

export interface StardogWireOptions {
  /** username → password accepted by `/admin/token`. */
  users?: Record<string, string>;
  /** Database name → Turtle loaded into it. */
  databases?: Record<string, string>;
  /** Extra bearer tokens accepted as they are (what an SSO user would send in X-SD-Auth-Token). */
  staticTokens?: string[];
  /** Lifetime of issued JWTs, in seconds. */
  tokenLifetimeSeconds?: number;
  /**
   * Databases created with `search.enabled=true`: their queries may use the full-text predicate
   * `tag:stardog:api:property:textMatch`; on the others it is an error.
   */
  searchDatabases?: string[];
}

const TEXT_MATCH =
  /\(\s*\?(\w+)\s+\?(\w+)\s*\)\s*<tag:stardog:api:property:textMatch>\s*'([^']*)'\s*\./;

/**
 * A loopback server speaking Stardog's HTTP protocol where the service uses it: `GET /admin/token`
 * (Basic → `{token}`, a JWT with `exp`) and `POST /{db}/query` (form fields, Bearer JWT), answering
 * from a real oxigraph store per database, with errors as Stardog sends them: `{message, code}`.
 */
export class StardogWireServer {
  readonly requests: RecordedRequest[] = [];
  /** Milliseconds to wait before answering a query; `hang` never answers on its own. */
  delayMs = 0;
  /** Answer like Stardog does when the query's `timeout` passes before `delayMs`. */
  honourTimeout = true;
  /** Queries for which this is true are accepted and never answered (client-abort tests). */
  hangWhen?: (query: string) => boolean;
  /** Queries whose client closed the connection before the answer was sent. */
  readonly abandonedQueries: string[] = [];
  private readonly issued = new Map<string, number>();
  private readonly stores = new Map<string, oxigraph.Store>();
  private server?: Server;
  private issuedCount = 0;
  baseUrl = '';

  constructor(private readonly options: StardogWireOptions = {}) {
    for (const [db, ttl] of Object.entries(options.databases ?? {})) {
      const store = new oxigraph.Store();
      store.load(ttl, { format: 'text/turtle' });
      this.stores.set(db, store);
    }
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Forgets every issued token, as a restarted server with a new signing key would. */
  revokeAll(): void {
    this.issued.clear();
  }

  get tokenRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === '/admin/token');
  }

  get queryRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/query'));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = await readBody(req);
    const form: Record<string, string[]> = {};
    for (const [k, v] of new URLSearchParams(body)) (form[k] ??= []).push(v);
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      authorization: req.headers.authorization,
      accept: req.headers.accept,
      form,
    });
    if (req.method === 'GET' && url.pathname === '/admin/token') return this.token(req, res);
    const m = /^\/([^/]+)\/query$/.exec(url.pathname);
    if (req.method === 'POST' && m) return this.query(decodeURIComponent(m[1]), form, req, res);
    send(res, 404, { message: `No route ${req.method} ${url.pathname}`, code: 'NotFound' });
  }

  private token(req: IncomingMessage, res: ServerResponse): void {
    const [user, pass] = decodeBasic(req.headers.authorization);
    if (user === undefined || this.options.users?.[user] !== pass) {
      return send(res, 401, { message: 'Invalid credentials', code: 'AuthenticationFailed' });
    }
    const exp = Math.floor(Date.now() / 1000) + (this.options.tokenLifetimeSeconds ?? 3600);
    const token = fakeJwt({ sub: user, exp, n: ++this.issuedCount });
    this.issued.set(token, exp);
    send(res, 200, { token });
  }

  private async query(
    db: string,
    form: Record<string, string[]>,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const auth = req.headers.authorization ?? '';
    const bearer = auth.startsWith('Bearer ') ? auth.slice(7) : undefined;
    const exp = bearer ? this.issued.get(bearer) : undefined;
    const valid =
      bearer !== undefined &&
      ((exp !== undefined && exp * 1000 > Date.now()) ||
        (this.options.staticTokens ?? []).includes(bearer));
    if (!valid)
      return send(res, 401, {
        message: 'Token is expired or invalid',
        code: 'AuthenticationFailed',
      });
    const query = form.query?.[0] ?? '';
    res.on('close', () => {
      if (!res.writableFinished) this.abandonedQueries.push(query);
    });
    if (this.hangWhen?.(query)) return;
    const store = this.stores.get(db);
    if (!store)
      return send(res, 404, { message: `Database '${db}' does not exist.`, code: '0D0DU2' });
    const timeout = Number(form.timeout?.[0] ?? Infinity);
    if (this.delayMs > 0) {
      if (this.honourTimeout && timeout < this.delayMs) {
        await sleep(timeout);
        return send(res, 500, {
          message: `Query execution cancelled: Execution time exceeded query timeout ${timeout}`,
          code: 'QEQEC1',
        });
      }
      await sleep(this.delayMs);
    }
    const graphs = form['default-graph-uri'] ?? [];
    let sparql = form.query?.[0] ?? '';
    const search = TEXT_MATCH.exec(sparql);
    if (search) {
      if (!(this.options.searchDatabases ?? []).includes(db)) {
        return send(res, 400, {
          message: `Full-text search is not enabled for database '${db}'`,
          code: 'QEQEC1',
        });
      }
      sparql = sparql.replace(TEXT_MATCH, textMatchValues(store, search[1], search[2], search[3]));
    }
    try {
      const isGraph = /^\s*(PREFIX[^\n]*\n\s*)*(CONSTRUCT|DESCRIBE)/i.test(sparql);
      const text = store.query(sparql, {
        results_format: isGraph ? 'application/n-triples' : 'application/sparql-results+json',
        ...(graphs.length
          ? { default_graph: graphs.map((g) => oxigraph.namedNode(g)) }
          : { use_default_graph_as_union: true }),
      }) as string;
      res.writeHead(200, {
        'content-type': isGraph ? 'application/n-triples' : 'application/sparql-results+json',
      });
      res.end(text);
    } catch (err) {
      send(res, 400, { message: (err as Error).message, code: 'QueryParse' });
    }
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function decodeBasic(header: string | undefined): [string?, string?] {
  if (!header?.startsWith('Basic ')) return [];
  const text = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i < 0 ? [] : [text.slice(0, i), text.slice(i + 1)];
}

/** A JWT-shaped token (the service reads `exp` without verifying; the server checks its own list). */
export function fakeJwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Stardog's search as far as the service relies on it: every literal holding a word of the Lucene
 * query (`word~` also within two edits), scored by the share of query words it holds, written as a
 * VALUES block that takes the search pattern's place.
 */
function textMatchValues(store: oxigraph.Store, lit: string, score: string, query: string): string {
  const terms = query
    .split(/\s+/)
    .filter(Boolean)
    .map((t) => ({ word: t.replace(/~$/, '').toLowerCase(), fuzzy: t.endsWith('~') }));
  const rows: string[] = [];
  const seen = new Set<string>();
  for (const q of store.match(null, null, null, null)) {
    const o = q.object;
    if (o.termType !== 'Literal') continue;
    const key = `${o.value}\u0000${o.language}\u0000${o.datatype.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const words = o.value.toLowerCase().split(/[^\p{L}\p{N}]+/u);
    const hits = terms.filter((t) =>
      words.some((w) => w === t.word || (t.fuzzy && withinTwoEdits(w, t.word))),
    ).length;
    if (hits === 0) continue;
    const text = JSON.stringify(o.value);
    const term = o.language ? `${text}@${o.language}` : `${text}^^<${o.datatype.value}>`;
    rows.push(`(${term} ${(hits / terms.length).toFixed(3)})`);
  }
  return `VALUES (?${lit} ?${score}) { ${rows.join(' ')} }`;
}

function withinTwoEdits(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 2) return false;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur.push(
        Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)),
      );
    }
    prev = cur;
  }
  return prev[b.length] <= 2;
}
