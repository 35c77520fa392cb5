import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TARGET } from '../../src/knowledge-graph/demo-target.js';
import { KnowledgeGraphService } from '../../src/knowledge-graph/knowledge-graph.service.js';
import { OpenAiWireServer } from '../support/llm-wire/openai-wire-server.js';
import {
  PV,
  actionOf,
  answerReply,
  post,
  promptsOf,
  sparqlReply,
  startVoicebox,
  type AskBody,
  type VoiceboxTestApp,
} from './voicebox-kit.js';

const HOCH = 'http://ld.company.org/prod-instances/empl-Heinrich.Hoch%40company.org';
const MANAGER = (property: string, prefixes = `PREFIX pv: <${PV}>\n`) =>
  `${prefixes}SELECT DISTINCT ?manager WHERE { <${HOCH}> ${property} ?manager . }`;

describe('validation and repair of the generated query', () => {
  let wire: OpenAiWireServer;
  let t: VoiceboxTestApp;
  let manager: string;
  beforeAll(async () => {
    wire = await OpenAiWireServer.start();
    t = await startVoicebox(wire);
    manager = (await rows(t, MANAGER('pv:hasManager')))[0];
  });
  afterAll(async () => {
    await t?.close();
    await wire?.close();
  });
  afterEach(() => wire.reset());

  const ask = async (query = 'Who is the manager of Heinrich Hoch?') => {
    const res = await post(t, 'ask', { query });
    expect(res.statusCode).toBe(200);
    return res.json<AskBody>();
  };

  it('declares a forgotten PREFIX itself, without a repair round trip', async () => {
    wire.reply(sparqlReply(MANAGER('pv:hasManager', '')), answerReply(`[Manager](${manager})`));
    const body = await ask();
    expect(wire.requests).toHaveLength(2);
    expect(actionOf(body, 'sparql')).toMatch(
      /^PREFIX pv: <http:\/\/ld\.company\.org\/prod-vocab\/>/,
    );
    expect(actionOf(body, 'row_count')).toBe(1);
    expect(body.result).toBe(`[Manager](${manager})`);
  });

  it('sends an unknown property back to the model with the problem, and runs the repaired query', async () => {
    wire.reply(
      sparqlReply(MANAGER('pv:managedBy')),
      sparqlReply(MANAGER('pv:hasManager')),
      answerReply(`Heinrich Hoch reports to [his manager](${manager}).`),
    );
    const body = await ask();
    expect(wire.requests).toHaveLength(3);
    const repair = promptsOf(wire)[1];
    expect(repair).toContain('pv:managedBy');
    expect(repair).toMatch(/pv:managedBy is not a property of this graph/);
    expect(actionOf(body, 'sparql')).toContain('pv:hasManager');
    expect(body.result).toContain(manager);
  });

  it('gives up after three repairs: says so, shows the last query and its problem, never runs it', async () => {
    const bad = ['pv:managedBy', 'pv:bossOf', 'pv:supervisor', 'pv:reportsTo'];
    wire.reply(...bad.map((p) => sparqlReply(MANAGER(p))));
    const body = await ask();
    expect(wire.requests).toHaveLength(4); // the first try and three repairs; no answer call
    expect(body.result).toMatch(/could not be answered from the knowledge graph/);
    expect(actionOf(body, 'sparql')).toContain('pv:reportsTo');
    expect(JSON.stringify(actionOf(body, 'query_problem'))).toMatch(
      /pv:reportsTo is not a property/,
    );
    expect(actionOf(body, 'row_count')).toBeUndefined();
  });

  it('refuses an update outright: not repaired, not run, the graph unchanged', async () => {
    const probe = `<urn:voicebox:test> <urn:voicebox:p> "injected"`;
    const before = await rows(t, 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }');
    wire.reply(sparqlReply(`INSERT DATA { ${probe} }`), sparqlReply(`DELETE WHERE { ?s ?p ?o }`));
    const insert = await ask('Add a test triple');
    expect(insert.result).toMatch(/would change the knowledge graph/);
    expect(JSON.stringify(actionOf(insert, 'query_problem'))).toMatch(/INSERT/i);
    const del = await ask('Delete everything');
    expect(del.result).toMatch(/would change the knowledge graph/);
    expect(wire.requests).toHaveLength(2); // one generation each, no repair, no answer
    expect(await rows(t, 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }')).toEqual(before);
    expect(await rows(t, `ASK { ${probe} }`)).toEqual(['false']);
  });

  it('removes a link to an IRI the rows do not hold, keeping its text', async () => {
    wire.reply(
      sparqlReply(MANAGER('pv:hasManager')),
      answerReply(
        `[Heinrich Hoch](http://invented.example/hoch) reports to [the manager](${manager}).`,
      ),
    );
    const body = await ask();
    expect(body.result).toBe(`Heinrich Hoch reports to [the manager](${manager}).`);
    expect(body.result).not.toContain('invented.example');
  });

  it('treats zero rows as worth one repair, then says the graph has no answer', async () => {
    const none = `PREFIX pv: <${PV}>\nSELECT ?p WHERE { ?p a pv:Product ; pv:price 123456789 . }`;
    wire.reply(sparqlReply(none), sparqlReply(none));
    const body = await ask('Which product costs 123456789?');
    expect(wire.requests).toHaveLength(2); // the query and one repair; no answer written by a model
    expect(promptsOf(wire)[1]).toMatch(/returned no rows/);
    expect(actionOf(body, 'row_count')).toBe(0);
    expect(body.result).toMatch(/no results for this question/);
  });
});

/** Each row's first value (ASK: "true"/"false"), straight from the store. */
async function rows(t: VoiceboxTestApp, sparql: string): Promise<string[]> {
  const r = await t.app.get(KnowledgeGraphService).query(DEMO_TARGET, sparql);
  if (r.form === 'ASK') return [String(r.boolean)];
  if (r.form !== 'SELECT') return [];
  return r.results.bindings.map((b) => Object.values(b)[0].value);
}
