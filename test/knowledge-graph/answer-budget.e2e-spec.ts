import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Public } from '../../src/common/http/route-policy.decorators.js';
import { KnowledgeGraphModule } from '../../src/knowledge-graph/knowledge-graph.module.js';
import { KnowledgeGraphService } from '../../src/knowledge-graph/knowledge-graph.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const BUDGET = 64 * 1024;
/** Far past the budget: an answer read whole would take this much memory. */
const ANSWER_BYTES = 8 * 1_048_576;
const TOKEN = 'stored-token-5f1c';

interface Served {
  path: string;
  bytesSent: number;
  /** The client closed the connection before the whole answer was written. */
  closedEarly: boolean;
}

/** A SPARQL 1.1 query endpoint answering SELECT results of a chosen size, and how it was read. */
class OversizedSparqlServer {
  readonly served: Served[] = [];
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      req.resume();
      req.on('end', () => void this.answer(req.url ?? '/', res));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async answer(path: string, res: ServerResponse): Promise<void> {
    const served: Served = { path, bytesSent: 0, closedEarly: false };
    this.served.push(served);
    res.on('close', () => (served.closedEarly = !res.writableFinished));
    const body = selectAnswer(path === '/small' ? 1_000 : ANSWER_BYTES);
    const headers: Record<string, string> = {
      'content-type': 'application/sparql-results+json',
    };
    // /declared says its length upfront; /stream is chunked, its size known only by reading it.
    if (path !== '/stream') headers['content-length'] = String(body.byteLength);
    res.writeHead(200, headers);
    const write = async (chunk: Buffer) => {
      if (res.destroyed) return;
      served.bytesSent += chunk.byteLength;
      if (!res.write(chunk)) {
        await new Promise<void>((resolve) => {
          res.once('drain', resolve);
          res.once('close', resolve);
        });
      }
    };
    const first = Math.min(16 * 1024, body.byteLength);
    await write(body.subarray(0, first));
    // The rest only after a pause: a client refusing the declared length has closed by then.
    if (path === '/declared') await new Promise((r) => setTimeout(r, 2_000));
    for (let at = first; at < body.byteLength && !res.destroyed; at += 64 * 1024) {
      await write(body.subarray(at, at + 64 * 1024));
    }
    if (!res.destroyed) res.end();
  }
}

/** A valid SPARQL JSON SELECT answer of about `bytes` bytes. */
function selectAnswer(bytes: number): Buffer {
  const row = JSON.stringify({ s: { type: 'uri', value: `http://example.org/${'x'.repeat(80)}` } });
  const rows = Math.max(1, Math.floor(bytes / (row.length + 1)));
  return Buffer.from(
    `{"head":{"vars":["s"]},"results":{"bindings":[${Array(rows).fill(row).join(',')}]}}`,
  );
}

let server: OversizedSparqlServer;

/** A test-only route that hands a query to the service, so the HTTP answers can be checked. */
@Controller('test-kg')
class KgProbeController {
  constructor(private readonly kg: KnowledgeGraphService) {}

  @Public()
  @Post('query')
  @HttpCode(200)
  query(@Body() body: { path: string }) {
    return this.kg.query(
      {
        connection: {
          id: 'big',
          kind: 'sparql',
          endpoint: `${server.url}${body.path}`,
          credential: { kind: 'bearer', token: TOKEN },
        },
        reasoning: false,
        namedGraphs: [],
      },
      'SELECT ?s WHERE { ?s ?p ?o }',
    );
  }
}

@Module({ imports: [KnowledgeGraphModule], controllers: [KgProbeController] })
class KgProbeModule {}

describe('a store answer is read within VOICEBOX_QUERY_MAX_RESPONSE_BYTES', () => {
  let t: TestApp;
  const post = (path: string) =>
    t.app.inject({ method: 'POST', url: '/test-kg/query', payload: { path } });

  beforeAll(async () => {
    server = await new OversizedSparqlServer().start();
    t = await startTestApp(
      { VOICEBOX_EMBEDDED_DEMO: 'false', VOICEBOX_QUERY_MAX_RESPONSE_BYTES: String(BUDGET) },
      [KgProbeModule],
    );
  });
  afterAll(async () => {
    await t?.close();
    await server?.stop();
  });

  const expectRefused = (res: Awaited<ReturnType<typeof post>>) => {
    expect(res.statusCode).toBe(502);
    expect(res.json()).toMatchObject({ code: 'kg.answer_too_large' });
    expect(res.json<{ message: string }>().message).toMatch(/VOICEBOX_QUERY_MAX_RESPONSE_BYTES/);
    expect(res.body).not.toContain(TOKEN);
  };

  it('an answer within the budget is served', async () => {
    const res = await post('/small');
    expect(res.statusCode).toBe(200);
    expect(
      res.json<{ results: { bindings: unknown[] } }>().results.bindings.length,
    ).toBeGreaterThan(0);
  });

  it('a streamed answer past the budget: 502 kg.answer_too_large, the connection closed early', async () => {
    const res = await post('/stream');
    expectRefused(res);
    const served = server.served.filter((s) => s.path === '/stream');
    expect(served).toHaveLength(1);
    await vi.waitFor(() => expect(served[0].closedEarly).toBe(true));
    expect(served[0].bytesSent).toBeLessThan(ANSWER_BYTES);
  });

  it('a declared Content-Length past the budget is refused before the body is read', async () => {
    const res = await post('/declared');
    expectRefused(res);
    const served = server.served.filter((s) => s.path === '/declared');
    expect(served).toHaveLength(1);
    // Refused on the headers: the connection is closed while the server still pauses after its
    // first 16 KiB.
    await vi.waitFor(() => expect(served[0].closedEarly).toBe(true));
    expect(served[0].bytesSent).toBe(16 * 1024);
  });
});
