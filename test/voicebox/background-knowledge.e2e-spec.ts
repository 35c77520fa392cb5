import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NOT_FROM_GRAPH } from '../../src/voicebox/background/background-answer.step.js';
import { NO_ROWS_ANSWER } from '../../src/voicebox/pipeline/write-answer.step.js';
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

// Nothing in CK25 is named like this: zero rows, however often the query is repaired.
const NOTHING = `PREFIX pv: <${PV}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nSELECT ?x WHERE { ?x rdfs:label "Paris" }`;

describe('background knowledge off (the default): the graph holds no answer, unless #llm', () => {
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

  it('says the graph holds no answer, without asking any model for one', async () => {
    wire.reply(sparqlReply(NOTHING), sparqlReply(NOTHING));
    const body = (
      await post(t, 'ask', { query: 'What is the capital of France?' })
    ).json<AskBody>();
    expect(body.result).toBe(NO_ROWS_ANSWER);
    expect(actionOf(body, 'background_knowledge')).toBeUndefined();
    expect(wire.requests).toHaveLength(2);
  });

  it('#llm: the default model answers, the text and an action saying it is not from the graph', async () => {
    wire.reply(sparqlReply(NOTHING), sparqlReply(NOTHING), answerReply('Paris.'));
    const body = (
      await post(t, 'ask', { query: 'What is the capital of France? #llm #debug' })
    ).json<AskBody>();
    expect(body.result).toBe(`${NOT_FROM_GRAPH}\n\nParis.`);
    expect(body.actions.find((a) => a.type === 'background_knowledge')).toMatchObject({
      label: 'Not from the Knowledge Graph',
      source: 'external_llm',
      model: 'gpt-4o',
    });
    expect(body.actions.some((a) => a.type === 'debug_prompts')).toBe(true);
    const prompts = promptsOf(wire);
    expect(prompts).toHaveLength(3);
    expect(prompts[2]).toContain('What is the capital of France?');
    for (const p of prompts) expect(p).not.toMatch(/#llm|#debug/);
  });
});

describe('background knowledge on (enable_external_llm with external_llm_config)', () => {
  let wire: OpenAiWireServer;
  let external: OpenAiWireServer;
  let t: VoiceboxTestApp;
  beforeAll(async () => {
    wire = await OpenAiWireServer.start();
    external = await OpenAiWireServer.start();
    t = await startVoicebox(wire, {
      VBX_CONFIG_FILE: writeVbxConfig({
        enable_external_llm: true,
        default_llm_config: llmConfig('openai', 'gpt-4o', { server_url: `${wire.url}/v1` }),
        external_llm_config: llmConfig('openai', 'gpt-4o-mini', {
          server_url: `${external.url}/v1`,
        }),
      }),
    });
  });
  afterAll(async () => {
    await t?.close();
    await wire?.close();
    await external?.close();
  });
  afterEach(() => {
    wire.reset();
    external.reset();
  });

  it('the external model answers when the query finds nothing, marked as not from the graph', async () => {
    wire.reply(sparqlReply(NOTHING), sparqlReply(NOTHING));
    external.reply(answerReply('The capital of France is Paris.'));
    const body = (
      await post(t, 'ask', { query: 'What is the capital of France?' })
    ).json<AskBody>();
    expect(body.result).toBe(`${NOT_FROM_GRAPH}\n\nThe capital of France is Paris.`);
    expect(body.actions.find((a) => a.type === 'background_knowledge')).toMatchObject({
      model: 'gpt-4o-mini',
    });
    // The query that found nothing is still shown.
    expect(actionOf(body, 'sparql')).toBe(NOTHING);
    expect(wire.requests).toHaveLength(2);
    expect(external.requests).toHaveLength(1);
  });

  it('the external model answers when no valid query could be written; a streamed answer says so too', async () => {
    const invalid = `PREFIX pv: <${PV}>\nSELECT ?x WHERE { ?x pv:capitalOf ?y }`;
    wire.reply(...Array.from({ length: 4 }, () => sparqlReply(invalid)));
    external.reply(answerReply('Paris.'));
    const res = await post(t, 'stream/ask', { query: 'What is the capital of France?' });
    const lines = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AskBody);
    const last = lines.at(-1)!;
    expect(last.pending).toBe(false);
    expect(last.result).toBe(`${NOT_FROM_GRAPH}\n\nParis.`);
    expect(actionOf(last, 'background_knowledge')).toBeDefined();
  });

  it('an answer the graph holds is not touched', async () => {
    const dept = `PREFIX pv: <${PV}>\nSELECT ?d WHERE { ?d a pv:Department }`;
    wire.reply(sparqlReply(dept), answerReply('The departments.'));
    const body = (await post(t, 'ask', { query: 'Which departments are there?' })).json<AskBody>();
    expect(body.result).toBe('The departments.');
    expect(actionOf(body, 'background_knowledge')).toBeUndefined();
    expect(external.requests).toHaveLength(0);
  });
});

describe('OpenAPI document', () => {
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

  it('lists the directives on every route that takes a question, and documents the OpenAI-compatible and MCP routes', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/v1/docs/openapi.json' })).json<{
      paths: Record<string, Record<string, { description?: string }>>;
    }>();
    for (const path of [
      '/api/v1/voicebox/ask',
      '/api/v1/voicebox/generate-query',
      '/api/v1/voicebox/stream/ask',
      '/v1/chat/completions',
    ]) {
      const description = doc.paths[path].post.description ?? '';
      for (const d of ['#chart', '#analyze', '#llm', '#debug']) expect(description).toContain(d);
    }
    expect(doc.paths['/v1/models'].get).toBeDefined();
    expect(doc.paths['/mcp'].post).toBeDefined();
  });
});
