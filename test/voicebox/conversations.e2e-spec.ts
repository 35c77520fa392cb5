import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/database/database.js';
import { ConversationsRepository } from '../../src/voicebox/conversations/conversations.repository.js';
import { OpenAiWireServer } from '../support/llm-wire/openai-wire-server.js';
import { startTestApp } from '../support/test-app.js';
import {
  ADMIN_TOKEN,
  KAREN,
  KAREN_DEPT_QUERY,
  PV,
  TEST_APP_NAME,
  actionOf,
  answerReply,
  post,
  promptsOf,
  sparqlReply,
  startVoicebox,
  type AskBody,
  type VoiceboxTestApp,
} from './voicebox-kit.js';

const MANAGER_QUERY = `PREFIX pv: <${PV}>
SELECT DISTINCT ?manager WHERE { <${KAREN}> pv:hasManager ?manager }`;

// A type alias: query rows need an index signature, which interfaces do not give.
type MessageRow = {
  question: string;
  standalone_question: string;
  sparql: string | null;
  row_count: number | null;
  answer: string;
  outcome: string;
  timings: Record<string, number>;
  prompt_tokens: number;
  completion_tokens: number;
};

describe('conversations: follow-ups, ownership, what each turn keeps', () => {
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

  /** One follow-up turn scripted whole (the model's rewrite, query and answer), then asked. */
  const askFollowUp = (
    target: VoiceboxTestApp,
    conversationId: string,
    query: string,
    turn: { standalone: string; sparql: string; answer: string },
  ) => {
    wire.reply(answerReply(turn.standalone), sparqlReply(turn.sparql), answerReply(turn.answer));
    return post(target, 'ask', { query, conversation_id: conversationId });
  };

  const messagesOf = async (conversationId: string) =>
    (
      await t.app
        .get(Database)
        .query<MessageRow>(
          'SELECT * FROM conversation_messages WHERE conversation_id = $1 ORDER BY created_at',
          [conversationId],
        )
    ).rows;

  it('rewrites a follow-up into a standalone question from the conversation, and stores each turn whole', async () => {
    wire.reply(
      sparqlReply(KAREN_DEPT_QUERY),
      answerReply('Ms. Brant works in Marketing.'),
      // Turn 2: the rewrite, then the query, then the answer.
      answerReply('Who is the manager of Karen Brant?'),
      sparqlReply(MANAGER_QUERY),
      answerReply('Her manager is someone.'),
    );
    const first = (
      await post(t, 'ask', { query: 'In which department is Ms. Brant?' })
    ).json<AskBody>();
    const res = await post(t, 'ask', {
      query: 'And who manages her?',
      conversation_id: first.conversation_id,
    });
    expect(res.statusCode).toBe(200);
    const second = res.json<AskBody>();
    expect(second.conversation_id).toBe(first.conversation_id);
    expect(second.message_id).not.toBe(first.message_id);
    expect(actionOf(second, 'rewritten_query')).toBe('Who is the manager of Karen Brant?');

    // The rewrite call saw the earlier turn; the query was written for the standalone question.
    const prompts = promptsOf(wire);
    expect(prompts).toHaveLength(5);
    expect(prompts[2]).toContain('In which department is Ms. Brant?');
    expect(prompts[2]).toContain('Ms. Brant works in Marketing.');
    expect(prompts[2]).toContain('And who manages her?');
    expect(prompts[3]).toContain('Who is the manager of Karen Brant?');
    expect(prompts[3]).not.toContain('And who manages her?');

    const rows = await messagesOf(first.conversation_id);
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({
      question: 'And who manages her?',
      standalone_question: 'Who is the manager of Karen Brant?',
      sparql: MANAGER_QUERY,
      answer: 'Her manager is someone.',
      outcome: expect.stringMatching(/answered|no_rows/) as unknown,
    });
    expect(rows[1].row_count).toEqual(actionOf(second, 'row_count'));
    expect(Object.keys(rows[1].timings)).toEqual(
      expect.arrayContaining(['rewrite_question', 'write_answer']),
    );
    // Three calls of 11 prompt and 7 completion tokens each (the loopback model's usage).
    expect(rows[1].prompt_tokens).toBe(33);
    expect(rows[1].completion_tokens).toBe(21);
  });

  it('gives the rewrite the last six turns of the conversation, oldest first', async () => {
    wire.reply(sparqlReply(KAREN_DEPT_QUERY), answerReply('Answer 1.'));
    const first = (await post(t, 'ask', { query: 'Question 1?' })).json<AskBody>();
    const db = t.app.get(Database);
    const { rows } = await db.query<{ app_id: string }>(
      'SELECT app_id FROM conversations WHERE id = $1',
      [first.conversation_id],
    );
    const repo = t.app.get(ConversationsRepository);
    for (let n = 2; n <= 8; n++) {
      const saved = await repo.saveTurn(
        first.conversation_id,
        { appId: rows[0].app_id, clientId: 'alice' },
        {
          id: randomUUID(),
          question: `Question ${n}?`,
          standaloneQuestion: `Question ${n}?`,
          sparql: null,
          rowCount: null,
          answer: `Answer ${n}.`,
          outcome: 'answered',
          timings: {},
          promptTokens: 0,
          completionTokens: 0,
        },
      );
      expect(saved).toBe(true);
    }
    wire.reset();
    const res = await askFollowUp(t, first.conversation_id, 'Question 9?', {
      standalone: 'Question 9, standalone?',
      sparql: KAREN_DEPT_QUERY,
      answer: 'Answer 9.',
    });
    expect(res.statusCode).toBe(200);
    const rewrite = promptsOf(wire)[0];
    const shown = [...rewrite.matchAll(/Question (\d)\?/g)].map((m) => Number(m[1]));
    // Turns 3 to 8 in order, then the follow-up itself; turns 1 and 2 are past the window.
    expect([...new Set(shown)]).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(rewrite).toContain('Answer 8.');
    expect(rewrite).not.toContain('Answer 2.');
  });

  it("answers 404 for another client's conversation, and another app's (400 for an id that is no uuid)", async () => {
    wire.reply(sparqlReply(KAREN_DEPT_QUERY), answerReply('Marketing.'));
    const mine = (
      await post(t, 'ask', { query: 'In which department is Ms. Brant?' })
    ).json<AskBody>();

    const bob = await post(
      t,
      'ask',
      { query: 'And who manages her?', conversation_id: mine.conversation_id },
      { 'x-client-id': 'bob' },
    );
    expect(bob.statusCode).toBe(404);
    expect(bob.json()).toMatchObject({ code: 'conversation.not_found' });
    const streamed = await post(
      t,
      'stream/ask',
      { query: 'And who manages her?', conversation_id: mine.conversation_id },
      { 'x-client-id': 'bob' },
    );
    expect(streamed.statusCode).toBe(404);
    expect(streamed.headers['content-type']).toMatch(/application\/json/);

    // The same client id under another app's key: a different conversation space.
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const otherApp = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/apps',
      headers: admin,
      payload: { name: `other-app-${Date.now()}`, database: 'ck25' },
    });
    const otherKey = (
      await t.app.inject({
        method: 'POST',
        url: `/api/v1/admin/apps/${otherApp.json<{ id: string }>().id}/keys`,
        headers: admin,
        payload: { name: 'other' },
      })
    ).json<{ key: string }>().key;
    const otherApps = await post(
      t,
      'ask',
      { query: 'And who manages her?', conversation_id: mine.conversation_id },
      { authorization: `Bearer ${otherKey}` },
    );
    expect(otherApps.statusCode).toBe(404);
    expect(otherApps.json()).toMatchObject({ code: 'conversation.not_found' });

    const garbled = await post(t, 'ask', { query: 'x', conversation_id: 'not-a-uuid' });
    expect(garbled.statusCode).toBe(400);
    expect(garbled.body).toContain('conversation_id');
    // Nothing was asked of the model for the refused turns, nothing stored for them.
    expect(wire.requests).toHaveLength(2);
    expect(await messagesOf(mine.conversation_id)).toHaveLength(1);
  });

  it('stores nothing for a failed turn', async () => {
    const question = 'In which department is Ms. Brant, asked when the model fails?';
    wire.reply(sparqlReply(KAREN_DEPT_QUERY), { kind: 'status', status: 500 });
    const res = await post(t, 'ask', { query: question });
    expect(res.statusCode).toBe(502);
    const { rows } = await t.app
      .get(Database)
      .query<{ n: string }>('SELECT count(*) AS n FROM conversation_messages WHERE question = $1', [
        question,
      ]);
    expect(Number(rows[0].n)).toBe(0);
  });

  it('continues a conversation on another instance after a restart (state lives in PostgreSQL)', async () => {
    wire.reply(sparqlReply(KAREN_DEPT_QUERY), answerReply('Marketing.'));
    const first = (
      await post(t, 'ask', { query: 'In which department is Ms. Brant?' })
    ).json<AskBody>();

    const other = await startVoicebox(wire, t.env, t.key);
    try {
      const res = await askFollowUp(other, first.conversation_id, 'And who manages her?', {
        standalone: 'Who is the manager of Karen Brant?',
        sparql: MANAGER_QUERY,
        answer: 'Her manager.',
      });
      expect(res.statusCode).toBe(200);
      expect(actionOf(res.json<AskBody>(), 'rewritten_query')).toBe(
        'Who is the manager of Karen Brant?',
      );
      expect(await messagesOf(first.conversation_id)).toHaveLength(2);
    } finally {
      await other.close();
    }
  });

  it('#debug adds the prompts, grounding, LLM calls and step durations; the directive never reaches the model', async () => {
    wire.reply(sparqlReply(KAREN_DEPT_QUERY), answerReply('Marketing.'));
    const res = await post(t, 'ask', { query: 'In which department is Ms. Brant? #debug' });
    expect(res.statusCode).toBe(200);
    const body = res.json<AskBody>();
    for (const p of promptsOf(wire)) expect(p).not.toContain('#debug');
    const prompts = actionOf(body, 'debug_prompts') as Array<{ step: string }>;
    expect(prompts.map((p) => p.step)).toEqual(['generate_sparql', 'write_answer']);
    const calls = actionOf(body, 'debug_llm_calls') as Array<{
      step: string;
      promptTokens: number;
    }>;
    expect(calls.map((c) => [c.step, c.promptTokens])).toEqual([
      ['generate_sparql', 11],
      ['write_answer', 11],
    ]);
    const grounding = actionOf(body, 'debug_grounding') as Record<string, unknown>;
    expect(JSON.stringify(grounding)).toContain(`${PV}memberOf`);
    const timings = actionOf(body, 'debug_timings') as Record<string, number>;
    expect(Object.keys(timings)).toEqual(
      expect.arrayContaining(['link_entities', 'retrieve_schema', 'write_answer']),
    );
    // Without the directive, none of that.
    wire.reply(sparqlReply(KAREN_DEPT_QUERY), answerReply('Marketing.'));
    const plain = (
      await post(t, 'ask', { query: 'In which department is Ms. Brant?' })
    ).json<AskBody>();
    expect(plain.actions.some((a) => a.type.startsWith('debug_'))).toBe(false);
  });

  it('writes one audit line per ask naming app, client, subject, conversation, SPARQL, rows and outcome', async () => {
    wire.reply(sparqlReply(KAREN_DEPT_QUERY), answerReply('Marketing.'));
    const body = (
      await post(
        t,
        'ask',
        { query: 'In which department is Ms. Brant?' },
        { 'x-client-id': 'carol' },
      )
    ).json<AskBody>();
    const line = t.logs
      .json()
      .find((l) => l.msg === 'audit' && JSON.stringify(l).includes(body.conversation_id));
    expect(line).toBeDefined();
    const text = JSON.stringify(line);
    expect(text).toContain('carol');
    expect(text).toContain(TEST_APP_NAME);
    expect(text).toContain(body.message_id);
    expect(text).toContain('pv:memberOf');
    expect(text).toContain('"ask_outcome":"answered"');
    expect(text).not.toContain(t.key);
  });
});

describe('ask with no LLM configured', () => {
  it('answers 503 llm.not_configured naming VBX_CONFIG_FILE, for each ask route', async () => {
    const t = await startTestApp({ VOICEBOX_ADMIN_TOKEN: 'voicebox-test-admin-token-0123456789' });
    try {
      const { demoKey } = await import('./voicebox-kit.js');
      const key = await demoKey(t);
      for (const route of ['ask', 'generate-query', 'stream/ask']) {
        const res = await t.app.inject({
          method: 'POST',
          url: `/api/v1/voicebox/${route}`,
          headers: { authorization: `Bearer ${key}`, 'x-client-id': 'alice' },
          payload: { query: 'Which products did the marketing team of the moon base launch?' },
        });
        expect(res.statusCode, route).toBe(503);
        expect(res.json(), route).toMatchObject({ code: 'llm.not_configured' });
        expect(res.json<{ message: string }>().message, route).toContain('VBX_CONFIG_FILE');
      }
    } finally {
      await t.close();
    }
  });
});
