import type { LightMyRequestResponse } from 'fastify';
import { llmConfig, writeVbxConfig } from '../llm/llm-test-kit.js';
import type { OpenAiWireServer, WireReply } from '../support/llm-wire/openai-wire-server.js';
import { sharedTestDatabaseEnv } from '../support/postgres.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

export const ADMIN_TOKEN = 'voicebox-test-admin-token-0123456789';
export const OPENAI_KEY = 'sk-voicebox-test-0123456789';
export const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };

export const PV = 'http://ld.company.org/prod-vocab/';
export const KAREN = 'http://ld.company.org/prod-instances/empl-Karen.Brant%40company.org';
/** Karen Brant's department: one row on CK25. */
export const KAREN_DEPT_QUERY = `PREFIX pv: <${PV}>
SELECT DISTINCT ?dept WHERE { <${KAREN}> pv:memberOf ?dept . ?dept a pv:Department }`;

export interface VoiceboxTestApp extends TestApp {
  /** An app key of the example-free CK25 test app (TEST_APP_NAME). */
  key: string;
  env: Record<string, string>;
}

/**
 * The real service over the embedded CK25 graph, its LLM being the loopback OpenAI-protocol
 * server; `key` asks an app with no stored examples (TEST_APP_NAME), so every question reaches the
 * scripted model. `env` may carry DATABASE_URL to share a database between two instances.
 */
export async function startVoicebox(
  wire: OpenAiWireServer,
  env: Record<string, string> = {},
  key?: string,
): Promise<VoiceboxTestApp> {
  const fullEnv = {
    ...(env.DATABASE_URL ? {} : await sharedTestDatabaseEnv()),
    VOICEBOX_ADMIN_TOKEN: ADMIN_TOKEN,
    OPENAI_API_KEY: OPENAI_KEY,
    LLM_MAX_RETRIES: '0',
    VBX_CONFIG_FILE: writeVbxConfig({
      default_llm_config: llmConfig('openai', 'gpt-4o', { server_url: `${wire.url}/v1` }),
    }),
    ...env,
  };
  const t = await startTestApp(fullEnv);
  return { ...t, env: fullEnv, key: key ?? (await testAppKey(t)) };
}

/**
 * The app the voicebox tests ask: the CK25 graph of the embedded store, like the demo app, but
 * without the demo's stored examples (the CK25 dev questions), which would answer those questions
 * without the model.
 */
export const TEST_APP_NAME = 'ck25-tests';

/** A fresh key of TEST_APP_NAME, the app created on first use (through the admin API). */
export async function testAppKey(t: TestApp): Promise<string> {
  const apps = await t.app.inject({
    method: 'GET',
    url: '/api/v1/admin/apps?limit=500',
    headers: ADMIN,
  });
  let id = apps
    .json<Array<{ id: string; name: string }>>()
    .find((a) => a.name === TEST_APP_NAME)?.id;
  if (!id) {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/apps',
      headers: ADMIN,
      payload: { name: TEST_APP_NAME, database: 'ck25' },
    });
    if (created.statusCode !== 201) throw new Error(`cannot create the test app: ${created.body}`);
    id = created.json<{ id: string }>().id;
  }
  return issueKey(t, id);
}

/** A fresh key of the demo app (which has the CK25 dev questions as stored examples). */
export async function demoKey(t: TestApp): Promise<string> {
  const apps = await t.app.inject({ method: 'GET', url: '/api/v1/admin/apps', headers: ADMIN });
  const demo = apps.json<Array<{ id: string; name: string }>>().find((a) => a.name === 'ck25-demo');
  if (!demo) throw new Error(`no demo app: ${apps.body}`);
  return issueKey(t, demo.id);
}

async function issueKey(t: TestApp, appId: string): Promise<string> {
  const created = await t.app.inject({
    method: 'POST',
    url: `/api/v1/admin/apps/${appId}/keys`,
    headers: ADMIN,
    payload: { name: 'voicebox-tests' },
  });
  return created.json<{ key: string }>().key;
}

export interface AskBody {
  result: string;
  conversation_id: string;
  message_id: string;
  actions: Array<{ type: string; label: string; value: unknown }>;
  pending?: boolean;
}

export function post(
  t: VoiceboxTestApp,
  route: 'ask' | 'generate-query' | 'stream/ask',
  payload: object,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/voicebox/${route}`,
    headers: { authorization: `Bearer ${t.key}`, 'x-client-id': 'alice', ...headers },
    payload,
  });
}

export function actionOf(body: AskBody, type: string): unknown {
  return body.actions.find((a) => a.type === type)?.value;
}

/** A scripted answer (it may carry `delayMs`). */
type AnswerWireReply = Extract<WireReply, { kind: 'answer' }>;

/** A model reply carrying a query in a code block. */
export function sparqlReply(sparql: string): AnswerWireReply {
  return { kind: 'answer', text: 'Here is the query:\n```sparql\n' + sparql.trim() + '\n```' };
}

export function answerReply(text: string): AnswerWireReply {
  return { kind: 'answer', text };
}

/** The user message of each recorded LLM request. */
export function promptsOf(wire: OpenAiWireServer): string[] {
  return wire.requests.map((r) =>
    (r.body.messages as Array<{ role: string; content: string }>).map((m) => m.content).join('\n'),
  );
}
