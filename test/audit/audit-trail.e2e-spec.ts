import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditTrailWriter } from '../../src/audit/audit-trail.writer.js';
import { OpenAiWireServer } from '../support/llm-wire/openai-wire-server.js';
import {
  ADMIN_TOKEN,
  KAREN,
  OPENAI_KEY,
  PV,
  answerReply,
  post,
  sparqlReply,
  startVoicebox,
  type AskBody,
  type VoiceboxTestApp,
  TEST_APP_NAME,
} from '../voicebox/voicebox-kit.js';

const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };
const QUERY = `PREFIX pv: <${PV}>
SELECT ?dept WHERE { <${KAREN}> pv:memberOf ?dept }`;

interface AuditRecord {
  id: string;
  created_at: string;
  request_id: string;
  route: string;
  status: number;
  outcome: string;
  duration_ms: number;
  auth?: string;
  app_id?: string;
  app_name?: string;
  key_id?: string;
  client_id?: string;
  subject?: string;
  conversation_id?: string;
  message_id?: string;
  sparql?: string;
  row_count?: number;
  llm_provider?: string;
  llm_model?: string;
  prompt_tokens: number;
  completion_tokens: number;
  llm_calls: Array<Record<string, unknown>>;
}

describe('Audit trail: GET /api/v1/admin/audit', () => {
  let wire: OpenAiWireServer;
  let t: VoiceboxTestApp;
  let asked: AskBody;
  const before = new Date(Date.now() - 1000).toISOString();

  const audit = async (query = '') => {
    // Entries are written off the request path; wait for what is queued before reading.
    await t.app.get(AuditTrailWriter).flush();
    return t.app.inject({ method: 'GET', url: `/api/v1/admin/audit${query}`, headers: ADMIN });
  };

  beforeAll(async () => {
    wire = await OpenAiWireServer.start();
    t = await startVoicebox(wire);
    wire.reply(
      { ...sparqlReply(QUERY), promptTokens: 120, completionTokens: 30 },
      { ...answerReply('Karen works in a department.'), promptTokens: 200, completionTokens: 12 },
    );
    const ok = await post(
      t,
      'ask',
      { query: 'Where does Karen work?' },
      { 'x-client-id': 'alice' },
    );
    expect(ok.statusCode).toBe(200);
    asked = ok.json<AskBody>();
    wire.reply(sparqlReply(QUERY), answerReply('Still there.'));
    const second = await post(t, 'ask', { query: 'And now?' }, { 'x-client-id': 'bob' });
    expect(second.statusCode).toBe(200);
    // Refused before the pipeline: no X-Client-Id.
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/v1/voicebox/ask',
      headers: { authorization: `Bearer ${t.key}` },
      payload: { query: 'x' },
    });
    expect(refused.statusCode).toBe(400);
  });
  afterAll(async () => {
    await t?.close();
    await wire?.close();
  });

  it('stores one record per voicebox request: who, what ran, which model, tokens, outcome, duration', async () => {
    const res = await audit('?client_id=alice');
    expect(res.statusCode).toBe(200);
    const [rec, ...rest] = res.json<AuditRecord[]>();
    expect(rest).toHaveLength(0);
    expect(rec).toMatchObject({
      route: '/api/v1/voicebox/ask',
      status: 200,
      outcome: 'answered',
      auth: 'app-key',
      app_name: TEST_APP_NAME,
      client_id: 'alice',
      conversation_id: asked.conversation_id,
      message_id: asked.message_id,
      sparql: QUERY,
      row_count: 1,
      llm_provider: 'openai',
      llm_model: 'gpt-4o',
      prompt_tokens: 320,
      completion_tokens: 42,
    });
    expect(rec.llm_calls).toHaveLength(2);
    expect(rec.llm_calls[0]).toMatchObject({ provider: 'openai', model: 'gpt-4o', outcome: 'ok' });
    expect(rec.duration_ms).toBeGreaterThan(0);
    expect(rec.request_id).toMatch(/\S/);
    expect(rec.app_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(rec.key_id).toMatch(/^[0-9a-f-]{36}$/);
    // No credential: neither the app key, nor the LLM key, nor the admin token.
    for (const secret of [t.key, OPENAI_KEY, ADMIN_TOKEN]) expect(res.body).not.toContain(secret);
  });

  it('records requests refused before the pipeline with the HTTP outcome', async () => {
    const res = await audit('?outcome=http_400');
    const recs = res.json<AuditRecord[]>();
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({ status: 400, route: '/api/v1/voicebox/ask' });
    expect(recs[0].llm_calls).toEqual([]);
  });

  it('filters by app (name or id), client id, subject, outcome and time range', async () => {
    const all = (await audit()).json<AuditRecord[]>();
    expect(all).toHaveLength(3);
    // Newest first.
    expect(all.map((r) => r.created_at)).toEqual(
      [...all.map((r) => r.created_at)].sort().reverse(),
    );
    const appId = all.find((r) => r.app_id)!.app_id!;
    // The refused request never established an app: only the two asks are the demo app's.
    expect((await audit(`?app=${TEST_APP_NAME}`)).json<AuditRecord[]>()).toHaveLength(2);
    expect((await audit(`?app=${appId}`)).json<AuditRecord[]>()).toHaveLength(2);
    expect((await audit('?app=another-app')).json<AuditRecord[]>()).toHaveLength(0);
    expect((await audit('?client_id=bob')).json<AuditRecord[]>()).toHaveLength(1);
    expect((await audit('?subject=nobody')).json<AuditRecord[]>()).toHaveLength(0);
    expect((await audit('?outcome=answered')).json<AuditRecord[]>()).toHaveLength(2);
    expect((await audit(`?since=${before}`)).json<AuditRecord[]>()).toHaveLength(3);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await audit(`?since=${future}`)).json<AuditRecord[]>()).toHaveLength(0);
    expect((await audit(`?until=${before}`)).json<AuditRecord[]>()).toHaveLength(0);
  });

  it('pages with limit and offset, X-Total-Count and a Link that keeps the filters', async () => {
    const first = await audit(`?since=${encodeURIComponent(before)}&limit=2`);
    expect(first.headers['x-total-count']).toBe('3');
    expect(first.json<AuditRecord[]>()).toHaveLength(2);
    const link = String(first.headers.link);
    expect(link).toMatch(/^<\/api\/v1\/admin\/audit\?[^>]*>; rel="next"$/);
    const params = new URL(link.slice(1, link.indexOf('>')), 'http://x').searchParams;
    expect(Object.fromEntries(params)).toEqual({ since: before, limit: '2', offset: '2' });
    const next = await audit(link.slice(link.indexOf('?'), link.indexOf('>')));
    expect(next.json<AuditRecord[]>()).toHaveLength(1);
    expect(next.headers.link).toBeUndefined();
    const ids = [...first.json<AuditRecord[]>(), ...next.json<AuditRecord[]>()].map((r) => r.id);
    expect(new Set(ids).size).toBe(3);
  });

  it('refuses bad filters with 400 naming the field, and callers without the admin credential', async () => {
    const bad = await audit('?since=yesterday');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('since');
    const unknown = await audit('?user=alice');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('user');
    const anon = await t.app.inject({ method: 'GET', url: '/api/v1/admin/audit' });
    expect(anon.statusCode).toBe(401);
    const withAppKey = await t.app.inject({
      method: 'GET',
      url: '/api/v1/admin/audit',
      headers: { authorization: `Bearer ${t.key}` },
    });
    expect([401, 403]).toContain(withAppKey.statusCode);
  });
});
