import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TARGET } from '../../src/knowledge-graph/demo-target.js';
import { KnowledgeGraphService } from '../../src/knowledge-graph/knowledge-graph.service.js';
import { llmConfig, writeVbxConfig } from '../llm/llm-test-kit.js';
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

const PREFIXES = `PREFIX pv: <${PV}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n`;
const STAFF_PER_DEPT = `${PREFIXES}SELECT ?dept ?label (COUNT(?e) AS ?staff) WHERE { ?e pv:memberOf ?dept . ?dept rdfs:label ?label } GROUP BY ?dept ?label`;
const PRICES = `${PREFIXES}SELECT ?item ?amount WHERE { ?item pv:price ?p . ?p pv:amount ?amount }`;
const NAMES = `${PREFIXES}SELECT ?dept ?label WHERE { ?dept a pv:Department ; rdfs:label ?label }`;

interface Chart {
  type: string;
  chart_type?: string;
  value: {
    data: { values: Array<Record<string, unknown>> };
    mark: { type: string };
    encoding: Record<string, { field: string }>;
  };
}

describe('charts and analytics (enable_charts, enable_analytics on: the defaults)', () => {
  let wire: OpenAiWireServer;
  let t: VoiceboxTestApp;
  let kg: KnowledgeGraphService;
  beforeAll(async () => {
    wire = await OpenAiWireServer.start();
    t = await startVoicebox(wire);
    kg = t.app.get(KnowledgeGraphService);
  });
  afterAll(async () => {
    await t?.close();
    await wire?.close();
  });
  afterEach(() => wire.reset());

  it('adds a compiled bar chart with the rows inlined when the rows are a category and a number', async () => {
    wire.reply(sparqlReply(STAFF_PER_DEPT), answerReply('Staff per department, as charted.'));
    const res = await post(t, 'ask', { query: 'How many people work in each department?' });
    expect(res.statusCode).toBe(200);
    const body = res.json<AskBody>();
    const chart = body.actions.find((a) => a.type === 'chart') as Chart | undefined;
    expect(chart).toBeDefined();
    expect(chart!.chart_type).toBe('bar');
    expect(chart!.value.mark.type).toBe('bar');
    expect(chart!.value.encoding.x.field).toBe('label');
    expect(chart!.value.encoding.y.field).toBe('staff');
    const rows = await select(kg, STAFF_PER_DEPT);
    expect(chart!.value.data.values).toHaveLength(rows.length);
    expect(chart!.value.data.values).toContainEqual({
      label: rows[0].label,
      staff: Number(rows[0].staff),
    });
  });

  it('gives the model a sum over all the rows when it is shown only the first hundred', async () => {
    const rows = await select(kg, PRICES);
    expect(rows.length).toBeGreaterThan(100);
    const sum = rows.reduce((s, r) => s + Number(r.amount), 0);
    const expected = Number(sum.toPrecision(12));
    wire.reply(sparqlReply(PRICES), answerReply(`The prices add up to ${expected}.`));

    const body = (
      await post(t, 'ask', { query: 'What do all the prices add up to?' })
    ).json<AskBody>();
    const answerPrompt = promptsOf(wire)[1];
    // The model sees 100 rows, and the total of all of them.
    const shownRows = answerPrompt
      .split('\n')
      .filter((l) => l.startsWith('<http://ld.company.org/prod-instances/'));
    expect(shownRows).toHaveLength(100);
    expect(answerPrompt).toContain(`Statistics over all ${rows.length} rows`);
    expect(answerPrompt).toContain(`sum ${expected}`);
    const stats = actionOf(body, 'analytics') as {
      rows: number;
      columns: Array<{ column: string; sum?: number; count: number }>;
    };
    expect(stats.rows).toBe(rows.length);
    expect(stats.columns.find((c) => c.column === 'amount')).toMatchObject({
      count: rows.length,
      sum: expected,
    });
    // An IRI and one number: no chart suits that.
    expect(actionOf(body, 'chart')).toBeUndefined();
  });

  it('adds no chart when the rows have no number', async () => {
    wire.reply(sparqlReply(NAMES), answerReply('The departments.'));
    const body = (await post(t, 'ask', { query: 'Which departments are there?' })).json<AskBody>();
    expect(body.actions.some((a) => a.type === 'chart')).toBe(false);
  });
});

describe('charts and analytics switched off, then asked for with #chart and #analyze', () => {
  let wire: OpenAiWireServer;
  let t: VoiceboxTestApp;
  beforeAll(async () => {
    wire = await OpenAiWireServer.start();
    t = await startVoicebox(wire, {
      VBX_CONFIG_FILE: writeVbxConfig({
        enable_charts: false,
        enable_analytics: false,
        default_llm_config: llmConfig('openai', 'gpt-4o', { server_url: `${wire.url}/v1` }),
      }),
    });
  });
  afterAll(async () => {
    await t?.close();
    await wire?.close();
  });
  afterEach(() => wire.reset());

  it('off: neither chart nor statistics', async () => {
    wire.reply(sparqlReply(STAFF_PER_DEPT), answerReply('Staff per department.'));
    const body = (
      await post(t, 'ask', { query: 'How many people work in each department?' })
    ).json<AskBody>();
    expect(body.actions.map((a) => a.type)).not.toContain('chart');
    expect(body.actions.map((a) => a.type)).not.toContain('analytics');
    expect(promptsOf(wire)[1]).not.toContain('Statistics over all');
  });

  it('#chart and #analyze turn them on for one question, and never reach the model', async () => {
    wire.reply(sparqlReply(STAFF_PER_DEPT), answerReply('Staff per department.'));
    const body = (
      await post(t, 'ask', { query: '#chart How many people work in each department? #analyze' })
    ).json<AskBody>();
    expect(body.actions.map((a) => a.type)).toEqual(expect.arrayContaining(['chart', 'analytics']));
    expect(actionOf(body, 'rewritten_query')).toBe('How many people work in each department?');
    for (const prompt of promptsOf(wire)) {
      expect(prompt).not.toMatch(/#chart|#analyze/);
    }
    expect(promptsOf(wire)[1]).toContain('Statistics over all');
  });
});

async function select(
  kg: KnowledgeGraphService,
  sparql: string,
): Promise<Array<Record<string, string>>> {
  const r = await kg.query(DEMO_TARGET, sparql);
  if (r.form !== 'SELECT') throw new Error('expected rows');
  return r.results.bindings.map((b) =>
    Object.fromEntries(Object.entries(b).map(([k, v]) => [k, v.value])),
  );
}
