import { Body, Controller, Headers, HttpCode, Module, Post } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Public } from '../../src/common/http/route-policy.decorators.js';
import { KnowledgeGraphModule } from '../../src/knowledge-graph/knowledge-graph.module.js';
import { KnowledgeGraphService } from '../../src/knowledge-graph/knowledge-graph.service.js';
import type { KgTarget } from '../../src/knowledge-graph/kg-connection.js';
import { StardogWireServer } from '../support/sparql/stardog-wire-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let server: StardogWireServer;

/** A test-only route that hands a query to the service, so the HTTP answers can be checked. */
@Controller('test-kg')
class KgProbeController {
  constructor(private readonly kg: KnowledgeGraphService) {}

  @Public()
  @Post('query')
  @HttpCode(200)
  query(
    @Body() body: { sparql: string; database?: string; password?: string },
    @Headers('x-sd-auth-token') sdAuthToken?: string,
  ) {
    const target: KgTarget = {
      connection: {
        id: 'sd',
        kind: 'stardog',
        endpoint: server.baseUrl,
        credential: { kind: 'basic', username: 'u', password: body.password ?? 'p' },
      },
      database: body.database ?? 'db',
      reasoning: false,
      namedGraphs: [],
    };
    return this.kg.query(target, body.sparql, { sdAuthToken });
  }
}

@Module({ imports: [KnowledgeGraphModule], controllers: [KgProbeController] })
class KgProbeModule {}

describe('knowledge-graph errors over HTTP', () => {
  let t: TestApp;
  const post = (body: object, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/test-kg/query', payload: body, headers });

  beforeAll(async () => {
    server = await new StardogWireServer({
      users: { u: 'p' },
      databases: { db: '<http://e/s> <http://e/p> "x" .' },
    }).start();
    t = await startTestApp({ VOICEBOX_EMBEDDED_DEMO: 'false' }, [KgProbeModule]);
  });
  afterAll(async () => {
    await t?.close();
    await server?.stop();
  });

  it('200 with the SPARQL JSON result shape', async () => {
    const res = await post({ sparql: 'SELECT ?o WHERE { ?s ?p ?o }' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      form: 'SELECT',
      head: { vars: ['o'] },
      results: { bindings: [{ o: { type: 'literal', value: 'x' } }] },
      truncated: false,
    });
  });

  it('400 with the reason for an update, and nothing sent', async () => {
    const before = server.requests.length;
    const res = await post({ sparql: 'DROP ALL' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'kg.query_not_read_only' });
    expect(res.json<{ message: string }>().message).toMatch(
      /Only SELECT, ASK, CONSTRUCT and DESCRIBE/,
    );
    expect(server.requests.length).toBe(before);
  });

  it('401 naming the fix for a refused credential, without the secret', async () => {
    const res = await post({ sparql: 'ASK {}', password: 'not-the-password' });
    expect(res.statusCode).toBe(401);
    expect(res.json<{ message: string }>().message).toMatch(/re-authenticate the connection/);
    expect(res.body).not.toContain('not-the-password');
    const sso = await post({ sparql: 'ASK {}' }, { 'x-sd-auth-token': 'stale' });
    expect(sso.statusCode).toBe(401);
    expect(sso.json<{ message: string }>().message).toMatch(/X-SD-Auth-Token/);
  });

  it('counts queries by store and outcome on /metrics', async () => {
    await post({ sparql: 'ASK {}' });
    await post({ sparql: 'ASK {}', password: 'wrong' });
    const res = await t.scrapeMetrics();
    expect(res.body).toMatch(
      /voicebox_kg_query_duration_seconds_count\{store="stardog",outcome="ok"\} [1-9]/,
    );
    expect(res.body).toMatch(
      /voicebox_kg_query_duration_seconds_count\{store="stardog",outcome="kg.credential_refused"\} [1-9]/,
    );
  });

  it('404 for an unknown database', async () => {
    const res = await post({ sparql: 'ASK {}', database: 'missing' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'kg.database_not_found' });
  });
});
