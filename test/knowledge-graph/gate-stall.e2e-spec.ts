import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TARGET } from '../../src/knowledge-graph/demo-target.js';
import { KnowledgeGraphService } from '../../src/knowledge-graph/knowledge-graph.service.js';
import type { KgTarget } from '../../src/knowledge-graph/kg-connection.js';
import { OpenAiWireServer } from '../support/llm-wire/openai-wire-server.js';
import { StardogWireServer } from '../support/sparql/stardog-wire-server.js';
import {
  actionOf,
  answerReply,
  post,
  sparqlReply,
  startVoicebox,
  type AskBody,
} from '../voicebox/voicebox-kit.js';

/** 12 KB of nested groups: 70 s of blocked event loop, then an uncaught stack overflow, before. */
const NESTED_GROUPS = 'SELECT * WHERE ' + '{'.repeat(6000) + ' ?s ?p ?o ' + '}'.repeat(6000);
/** 20 KB of parentheses: over 100 s of blocked event loop, before. */
const PARENTHESES =
  'SELECT * WHERE { ?s ?p ?o FILTER(' + '('.repeat(10_000) + '1' + ')'.repeat(10_000) + ') }';
/** Within the bounds, yet seconds of parsing on a busy machine. */
const WIDE = (() => {
  let unit = '';
  while (unit.length < 20_000) unit += '{ ?s <http://p> ?o FILTER(((?o + 1) * 2) > 3) } UNION ';
  return `SELECT * WHERE { ${unit}{ ?s ?p ?o } }`;
})();

/**
 * Polls /system/health over real HTTP while `work` runs; resolves with the slowest answer (ms) and
 * the statuses seen.
 */
async function healthDuring(port: number, work: Promise<unknown>) {
  let done = false;
  void work.finally(() => (done = true)).catch(() => undefined);
  let slowest = 0;
  const statuses: number[] = [];
  while (!done) {
    const started = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/system/health`);
    slowest = Math.max(slowest, performance.now() - started);
    statuses.push(res.status);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { slowest, statuses };
}

describe('the SPARQL gate cannot stall the service', { timeout: 120_000 }, () => {
  let wire: OpenAiWireServer;
  let sparqlServer: StardogWireServer;
  let t: Awaited<ReturnType<typeof startVoicebox>>;
  let port: number;

  beforeAll(async () => {
    wire = await OpenAiWireServer.start();
    sparqlServer = await new StardogWireServer({
      databases: { db: '<http://e/s> <http://e/p> "x" .' },
      staticTokens: ['token'],
    }).start();
    t = await startVoicebox(wire);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.getHttpServer().address() as { port: number }).port;
  });
  afterAll(async () => {
    await t?.close();
    await wire?.close();
    await sparqlServer?.stop();
  });

  const kg = () => t.app.get(KnowledgeGraphService);

  it.each([
    ['12 KB of nested groups', NESTED_GROUPS],
    ['20 KB of parentheses', PARENTHESES],
  ])('%s: 400 kg.query_invalid at once, health answering', async (_name, sparql) => {
    const started = performance.now();
    const err = await kg()
      .query(DEMO_TARGET, sparql)
      .catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(err).toMatchObject({ kind: 'invalid_input', code: 'kg.query_invalid' });
    expect((err as Error).message).toMatch(/more than 32 deep/);
    const res = await fetch(`http://127.0.0.1:${port}/system/health`);
    expect(res.status).toBe(204);
  });

  it('a query within the bounds is parsed off the event loop: health keeps answering', async () => {
    const health = await healthDuring(
      port,
      kg()
        .query(DEMO_TARGET, WIDE)
        .catch(() => undefined),
    );
    expect(health.statuses.length).toBeGreaterThan(0);
    expect(new Set(health.statuses)).toEqual(new Set([204]));
    expect(health.slowest).toBeLessThan(500);
  });

  it('a model writing such a query: the ask answers, health answering throughout', async () => {
    // A first question loads what every later one reuses (schema, vocabulary): not measured here.
    wire.reply(
      sparqlReply('SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'),
      answerReply('There are many triples.'),
    );
    expect((await post(t, 'ask', { query: 'How many triples?' })).statusCode).toBe(200);
    wire.reset();
    wire.reply(...Array.from({ length: 4 }, () => sparqlReply(NESTED_GROUPS)));
    const ask = post(t, 'ask', { query: 'How many employees are there?' });
    const health = await healthDuring(port, ask);
    const res = await ask;
    expect(res.statusCode).toBe(200);
    const body = res.json<AskBody>();
    expect(body.result).toMatch(/could not be answered/);
    expect(JSON.stringify(actionOf(body, 'query_problem'))).toMatch(/more than 32 deep/);
    expect(new Set(health.statuses)).toEqual(new Set([204]));
    expect(health.slowest).toBeLessThan(500);
  });

  it('an empty or comment-only query is refused, not run as LIMIT 101', async () => {
    for (const q of ['', '# nothing here', 'PREFIX pv: <http://ld.company.org/prod-vocab/>']) {
      await expect(kg().query(DEMO_TARGET, q)).rejects.toMatchObject({
        code: 'kg.query_invalid',
        message: expect.stringMatching(/There is no SPARQL query/) as unknown,
      });
    }
  });

  it('the store receives the text the gate regenerated, not the caller’s', async () => {
    const target: KgTarget = {
      connection: {
        id: 'gen',
        kind: 'sparql',
        endpoint: `${sparqlServer.baseUrl}/db/query`,
        credential: { kind: 'bearer', token: 'token' },
      },
      reasoning: false,
      namedGraphs: [],
    };
    // A server expanding \u before parsing would read `"x" } ; DROP ALL ; #"` in the caller's text.
    const sent = 'SELECT * WHERE { ?s ?p "x\\u0022 } ; DROP ALL ; #" } # comment';
    const before = sparqlServer.queryRequests.length;
    const result = await kg().query(target, sent);
    const received = sparqlServer.queryRequests[before].form.query?.[0];
    expect(received).toBe(result.sparql);
    expect(received).not.toContain('\\u');
    expect(received).not.toContain('# comment');
    expect(received).toMatch(/"x\\" } ; DROP ALL ; #"/);
  });
});
