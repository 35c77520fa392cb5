import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TARGET } from '../../src/knowledge-graph/demo-target.js';
import { KnowledgeGraphService } from '../../src/knowledge-graph/knowledge-graph.service.js';
import { OpenAiWireServer } from '../support/llm-wire/openai-wire-server.js';
import {
  KAREN,
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

const DEPT_QUERY = `PREFIX pv: <${PV}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?dept ?label WHERE { <${KAREN}> pv:memberOf ?dept . ?dept a pv:Department . OPTIONAL { ?dept rdfs:label ?label } }`;

describe('POST /api/v1/voicebox/ask', () => {
  let wire: OpenAiWireServer;
  let t: VoiceboxTestApp;
  beforeAll(async () => {
    wire = await OpenAiWireServer.start();
    t = await startVoicebox(wire);
  });
  afterAll(async () => {
    await t?.close();
    await wire?.close();
  });
  afterEach(() => wire.reset());

  it('answers a plain question with a cited answer, the SPARQL and the interpreted question', async () => {
    // The scripted model cites the department the rows name.
    const dept = await departmentOf(t);
    wire.reply(
      sparqlReply(DEPT_QUERY),
      answerReply(`Ms. Brant works in [${dept.label}](${dept.iri}).`),
    );

    const res = await post(t, 'ask', { query: 'In which department is Ms. Brant?' });
    expect(res.statusCode).toBe(200);
    const body = res.json<AskBody>();
    expect(body.result).toBe(`Ms. Brant works in [${dept.label}](${dept.iri}).`);
    expect(body.conversation_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.message_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(actionOf(body, 'sparql')).toBe(DEPT_QUERY);
    expect(actionOf(body, 'rewritten_query')).toBe('In which department is Ms. Brant?');
    expect(actionOf(body, 'row_count')).toBe(1);
    expect(body.actions.find((a) => a.type === 'sparql')?.label).toBe('SPARQL Query');
    expect(body.actions.find((a) => a.type === 'rewritten_query')?.label).toBe(
      'Interpreted Question',
    );
    // Two LLM calls: the query (with the schema in the prompt), then the answer (with the rows).
    expect(wire.requests).toHaveLength(2);
    const [generation, answer] = promptsOf(wire);
    expect(generation).toContain(`<${PV}memberOf>`);
    expect(generation).toContain('In which department is Ms. Brant?');
    expect(answer).toContain(dept.iri);
  });

  it('says in Server-Timing what the model and the graph took of the request', async () => {
    wire.reply(
      { ...sparqlReply(DEPT_QUERY), delayMs: 120 },
      { ...answerReply('Marketing.'), delayMs: 80 },
    );
    const res = await post(t, 'ask', { query: 'In which department is Ms. Brant?' });
    expect(res.statusCode).toBe(200);
    const timing = Object.fromEntries(
      String(res.headers['server-timing'])
        .split(', ')
        .map((m) => [m.split(';')[0], Number(/dur=([\d.]+)/.exec(m)?.[1])]),
    );
    expect(String(res.headers['server-timing'])).toMatch(/^llm;dur=[\d.]+;desc="2 calls", kg;/);
    // Each call waited for the model's delay; the graph was queried; both lie within the request.
    expect(timing.llm).toBeGreaterThanOrEqual(200);
    expect(timing.kg).toBeGreaterThan(0);
    expect(timing.total).toBeGreaterThanOrEqual(timing.llm + timing.kg);
  });

  it('accepts `message` instead of `query`, and names the field when both are missing', async () => {
    wire.reply(sparqlReply(DEPT_QUERY), answerReply('Marketing.'));
    const ok = await post(t, 'ask', { message: 'In which department is Ms. Brant?' });
    expect(ok.statusCode).toBe(200);
    const bad = await post(t, 'ask', { conversation_id: 'not-a-uuid' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ message: string }>().message).toMatch(/query/);
    expect(bad.json<{ message: string }>().message).toMatch(/conversation_id/);
  });
});

async function departmentOf(t: VoiceboxTestApp): Promise<{ iri: string; label: string }> {
  const r = await t.app.get(KnowledgeGraphService).query(DEMO_TARGET, DEPT_QUERY);
  if (r.form !== 'SELECT') throw new Error('expected rows');
  const row = r.results.bindings[0];
  return { iri: row.dept.value, label: row.label?.value ?? 'the department' };
}
