import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppsService } from '../../src/apps/apps.service.js';
import { DEMO_TARGET } from '../../src/knowledge-graph/demo-target.js';
import { KnowledgeGraphService } from '../../src/knowledge-graph/knowledge-graph.service.js';
import { ExampleSparqlValidator } from '../../src/voicebox/examples/example-sparql.validator.js';
import { ExamplesService } from '../../src/voicebox/examples/examples.service.js';
import { OpenAiWireServer } from '../support/llm-wire/openai-wire-server.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  ADMIN,
  ADMIN_TOKEN,
  KAREN,
  PV,
  TEST_APP_NAME,
  actionOf,
  answerReply,
  demoKey,
  post,
  promptsOf,
  sparqlReply,
  startVoicebox,
  type AskBody,
  type VoiceboxTestApp,
} from './voicebox-kit.js';

const HOCH = 'http://ld.company.org/prod-instances/empl-Heinrich.Hoch%40company.org';
const MANAGER_QUESTION = 'Who is the manager of Heinrich Hoch?';
const MANAGER_QUERY = `PREFIX pv: <${PV}>
SELECT DISTINCT ?manager WHERE { <${HOCH}> pv:hasManager ?manager . }`;
const DEPT_QUESTION = 'In which department is Ms. Brant?';

interface ExampleBody {
  id: string;
  app_id: string;
  question: string;
  sparql: string;
  created_at: string;
  updated_at: string;
}
interface ErrorBody {
  message: string;
  code: string;
  errors?: Array<{ field: string; reason: string }>;
}

async function appIdOf(t: TestApp, name: string): Promise<string> {
  const apps = await t.app.inject({ method: 'GET', url: '/api/v1/admin/apps', headers: ADMIN });
  const id = apps.json<Array<{ id: string; name: string }>>().find((a) => a.name === name)?.id;
  if (!id) throw new Error(`no app ${name}: ${apps.body}`);
  return id;
}

const examplesUrl = (appId: string, rest = '') => `/api/v1/admin/apps/${appId}/examples${rest}`;

describe('stored example queries, with the scripted model', () => {
  let wire: OpenAiWireServer;
  let t: VoiceboxTestApp;
  let appId: string;
  let otherAppId: string;
  let otherKey: string;
  let manager: string;

  const add = (id: string, payload: object, headers: Record<string, string> = ADMIN) =>
    t.app.inject({ method: 'POST', url: examplesUrl(id), headers, payload });

  beforeAll(async () => {
    wire = await OpenAiWireServer.start();
    t = await startVoicebox(wire);
    appId = await appIdOf(t, TEST_APP_NAME);
    const other = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/apps',
      headers: ADMIN,
      payload: { name: 'other-ck25', database: 'ck25' },
    });
    otherAppId = other.json<{ id: string }>().id;
    const key = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/apps/${otherAppId}/keys`,
      headers: ADMIN,
      payload: { name: 'other' },
    });
    otherKey = key.json<{ key: string }>().key;
    const r = await t.app.get(KnowledgeGraphService).query(DEMO_TARGET, MANAGER_QUERY);
    if (r.form !== 'SELECT') throw new Error('expected rows');
    manager = r.results.bindings[0].manager.value;
  });
  afterAll(async () => {
    await t?.close();
    await wire?.close();
  });
  afterEach(() => wire.reset());

  it('creates, lists a page at a time, reads, replaces and deletes an app’s examples', async () => {
    const created = await add(appId, {
      question: 'Which departments are there?',
      // No PREFIX: the validator declares pv: (a namespace of this graph) before storing.
      sparql: 'SELECT ?d WHERE { ?d a pv:Department }',
    });
    expect(created.statusCode, created.body).toBe(201);
    const example = created.json<ExampleBody>();
    expect(example).toMatchObject({ app_id: appId, question: 'Which departments are there?' });
    expect(example.sparql).toMatch(/^PREFIX pv: <http:\/\/ld\.company\.org\/prod-vocab\/>/);

    const second = await add(appId, {
      question: 'Which products are there?',
      sparql: `PREFIX pv: <${PV}> SELECT ?p WHERE { ?p a pv:Product }`,
    });
    expect(second.statusCode, second.body).toBe(201);

    const page = await t.app.inject({
      method: 'GET',
      url: examplesUrl(appId, '?limit=1'),
      headers: ADMIN,
    });
    expect(page.statusCode).toBe(200);
    expect(page.json<ExampleBody[]>().map((e) => e.id)).toEqual([example.id]);
    expect(page.headers['x-total-count']).toBe('2');
    expect(page.headers.link).toBe(`<${examplesUrl(appId)}?limit=1&offset=1>; rel="next"`);

    const one = await t.app.inject({
      method: 'GET',
      url: examplesUrl(appId, `/${example.id}`),
      headers: ADMIN,
    });
    expect(one.json<ExampleBody>()).toEqual(example);

    const replaced = await t.app.inject({
      method: 'PUT',
      url: examplesUrl(appId, `/${example.id}`),
      headers: ADMIN,
      payload: { question: 'List the departments', sparql: example.sparql },
    });
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(replaced.json<ExampleBody>().question).toBe('List the departments');

    // The same question (any case) twice in one app is refused.
    const dup = await add(appId, { question: 'list the DEPARTMENTS', sparql: example.sparql });
    expect(dup.statusCode).toBe(409);
    expect(dup.json<ErrorBody>().code).toBe('example.question_taken');

    for (const id of [example.id, second.json<ExampleBody>().id]) {
      const del = await t.app.inject({
        method: 'DELETE',
        url: examplesUrl(appId, `/${id}`),
        headers: ADMIN,
      });
      expect(del.statusCode).toBe(204);
    }
    const gone = await t.app.inject({
      method: 'DELETE',
      url: examplesUrl(appId, `/${example.id}`),
      headers: ADMIN,
    });
    expect(gone.statusCode).toBe(404);
    expect(gone.json<ErrorBody>().code).toBe('example.not_found');
    const empty = await t.app.inject({ method: 'GET', url: examplesUrl(appId), headers: ADMIN });
    expect(empty.json()).toEqual([]);
  });

  it.each([
    [
      'a property the graph does not have',
      `PREFIX pv: <${PV}> SELECT ?m WHERE { <${HOCH}> pv:hasManagr ?m }`,
      /sparql is not a valid query: .*hasManagr.* is not a property of this graph/,
    ],
    [
      'an entity the graph does not hold',
      `PREFIX pv: <${PV}> SELECT ?m WHERE { <http://ld.company.org/prod-instances/empl-Nobody> pv:hasManager ?m }`,
      /empl-Nobody> is not in this graph/,
    ],
    [
      'an update',
      `PREFIX pv: <${PV}> DELETE WHERE { <${HOCH}> pv:hasManager ?m }`,
      /sparql is not a valid query: .*this is an update/,
    ],
    [
      'text that is not SPARQL',
      'SELECT WHERE {',
      /sparql is not a valid query: The query is not valid SPARQL/,
    ],
  ])('refuses a query with %s, naming the problem (400)', async (_what, sparql, message) => {
    const res = await add(appId, { question: 'Who manages Heinrich Hoch?', sparql });
    expect(res.statusCode, res.body).toBe(400);
    const body = res.json<ErrorBody>();
    expect(body.code).toBe('request.invalid');
    expect(body.message).toMatch(message);
    expect(body.errors?.[0].field).toBe('sparql');
  });

  it('names missing and unknown fields, and answers 404 for an unknown app and 401 without the admin token', async () => {
    const missing = await add(appId, { sparql: MANAGER_QUERY, extra: 1 });
    expect(missing.statusCode).toBe(400);
    const fields = missing.json<ErrorBody>().errors?.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['question', 'extra']));
    const blank = await add(appId, { question: '  ', sparql: MANAGER_QUERY });
    expect(blank.json<ErrorBody>().errors?.map((e) => e.field)).toEqual(['question']);
    expect(blank.json<ErrorBody>().message).toMatch(/question must not be blank/);

    const noApp = await add('00000000-0000-4000-8000-000000000000', {
      question: MANAGER_QUESTION,
      sparql: MANAGER_QUERY,
    });
    expect(noApp.statusCode).toBe(404);
    const anonymous = await add(appId, { question: MANAGER_QUESTION, sparql: MANAGER_QUERY }, {});
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('answers a question matching a stored one with its query: the model only writes the answer', async () => {
    const created = await add(appId, { question: MANAGER_QUESTION, sparql: MANAGER_QUERY });
    expect(created.statusCode, created.body).toBe(201);
    try {
      wire.reply(answerReply(`His manager is [the manager](${manager}).`));
      const res = await post(t, 'ask', { query: 'who is the manager of heinrich hoch' });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<AskBody>();
      expect(actionOf(body, 'sparql')).toBe(MANAGER_QUERY);
      expect(body.result).toBe(`His manager is [the manager](${manager}).`);
      // One call, the answer's: no query was asked of the model.
      expect(wire.requests).toHaveLength(1);
      expect(promptsOf(wire)[0]).toContain(manager);
    } finally {
      await t.app.inject({
        method: 'DELETE',
        url: examplesUrl(appId, `/${created.json<ExampleBody>().id}`),
        headers: ADMIN,
      });
    }
  });

  it('gives the most similar stored examples to the model as few-shot examples, and only the asking app’s', async () => {
    const mine = await add(appId, { question: MANAGER_QUESTION, sparql: MANAGER_QUERY });
    const theirsQuery = `PREFIX pv: <${PV}>\nSELECT DISTINCT ?dept WHERE { <${KAREN}> pv:memberOf ?dept . }`;
    const theirs = await add(otherAppId, {
      question: 'Who is the manager of Karen Brant?',
      sparql: theirsQuery,
    });
    expect(mine.statusCode, mine.body).toBe(201);
    expect(theirs.statusCode, theirs.body).toBe(201);
    try {
      const asked = `PREFIX pv: <${PV}>\nSELECT DISTINCT ?m WHERE { <${KAREN}> pv:hasManager ?m . }`;
      wire.reply(sparqlReply(asked), answerReply('Her manager.'));
      const res = await post(t, 'ask', { query: 'Who is the manager of Karen Brant?' });
      expect(res.statusCode, res.body).toBe(200);
      expect(wire.requests).toHaveLength(2);
      const generation = promptsOf(wire)[0];
      expect(generation).toContain(`Question: ${MANAGER_QUESTION}`);
      expect(generation).toContain(MANAGER_QUERY);
      // The other app's example is the exact question, yet neither used nor shown here.
      expect(generation).not.toContain(theirsQuery);
      expect(actionOf(res.json<AskBody>(), 'sparql')).toBe(asked);

      // The other app answers the same question with its own stored query, directly.
      wire.reply(answerReply('Her department.'));
      const other = await post({ ...t, key: otherKey }, 'ask', {
        query: 'Who is the manager of Karen Brant?',
      });
      expect(other.statusCode, other.body).toBe(200);
      expect(actionOf(other.json<AskBody>(), 'sparql')).toBe(theirsQuery);
      expect(wire.requests).toHaveLength(3);
    } finally {
      await t.app.inject({
        method: 'DELETE',
        url: examplesUrl(appId, `/${mine.json<ExampleBody>().id}`),
        headers: ADMIN,
      });
    }
  });
});

describe('the demo app with no language model configured', () => {
  let t: TestApp;
  let key: string;
  let dept: { iri: string; label: string };
  beforeAll(async () => {
    // No VBX_CONFIG_FILE: the LLM client is the not-configured one, which fails every call (503).
    t = await startTestApp({ VOICEBOX_ADMIN_TOKEN: ADMIN_TOKEN });
    key = await demoKey(t);
    const r = await t.app.get(KnowledgeGraphService).query(
      DEMO_TARGET,
      `PREFIX pv: <${PV}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
       SELECT ?dept ?label WHERE { <${KAREN}> pv:memberOf ?dept . ?dept rdfs:label ?label }`,
    );
    if (r.form !== 'SELECT') throw new Error('expected rows');
    dept = { iri: r.results.bindings[0].dept.value, label: r.results.bindings[0].label.value };
  });
  afterAll(async () => {
    await t?.close();
  });
  const ask = (route: 'ask' | 'generate-query' | 'stream/ask', query: string) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/voicebox/${route}`,
      headers: { authorization: `Bearer ${key}`, 'x-client-id': 'alice' },
      payload: { query },
    });

  it('ships the 25 CK25 dev questions as the demo’s stored examples', async () => {
    const list = await t.app.inject({
      method: 'GET',
      url: examplesUrl(await appIdOf(t, 'ck25-demo')),
      headers: ADMIN,
    });
    expect(list.headers['x-total-count']).toBe('25');
    expect(list.json<ExampleBody[]>()[0].question).toBe(DEPT_QUESTION);
  });

  it('ships only examples that pass the check an admin’s example gets on save', async () => {
    const app = await t.app.get(AppsService).find('ck25-demo');
    const shipped = await t.app.get(ExamplesService).list(app.id);
    const checked = await t.app.get(ExampleSparqlValidator).checkAll(
      app,
      shipped.map((e, i) => ({ sparql: e.sparql, field: `examples[${i}].sparql` })),
    );
    expect(checked).toHaveLength(25);
  });

  it('answers a stored question from the rows itself: a sentence and a table of linked entities', async () => {
    const res = await ask('ask', 'In which department is Ms Brant');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<AskBody>();
    expect(body.result).toBe(
      [
        `The stored query for “${DEPT_QUESTION}” found 1 result:`,
        '',
        '| result |',
        '| --- |',
        `| [${dept.label}](${dept.iri}) |`,
      ].join('\n'),
    );
    expect(actionOf(body, 'sparql')).toContain(`<${KAREN}> pv:memberOf ?result`);
    expect(actionOf(body, 'row_count')).toBe(1);
  });

  it('streams the same answer, and generate-query returns the stored query', async () => {
    const stream = await ask('stream/ask', DEPT_QUESTION);
    expect(stream.statusCode, stream.body).toBeLessThan(300);
    const last = JSON.parse(stream.body.trim().split('\n').pop()!) as AskBody;
    expect(last.pending).toBe(false);
    expect(last.result).toContain(`| [${dept.label}](${dept.iri}) |`);
    const query = await ask('generate-query', DEPT_QUESTION);
    expect(query.statusCode).toBe(200);
    expect(query.json<AskBody>().result).toContain(`<${KAREN}> pv:memberOf ?result`);
  });

  it('still answers 503 llm.not_configured, naming VBX_CONFIG_FILE, for a question with no stored match', async () => {
    const res = await ask('ask', 'Who is the manager of Karen Brant?');
    expect(res.statusCode).toBe(503);
    const body = res.json<ErrorBody>();
    expect(body.code).toBe('llm.not_configured');
    expect(body.message).toContain('VBX_CONFIG_FILE');
    expect(body.message).toContain('stored example query');
  });
});
