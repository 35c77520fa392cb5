import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/database/database.js';
import { OpenAiWireServer } from '../support/llm-wire/openai-wire-server.js';
import { StardogWireServer } from '../support/sparql/stardog-wire-server.js';
import {
  ADMIN_TOKEN,
  KAREN,
  KAREN_DEPT_QUERY,
  PV,
  actionOf,
  answerReply,
  sparqlReply,
  startVoicebox,
  type AskBody,
  type VoiceboxTestApp,
} from './voicebox-kit.js';

/** An open NDJSON stream: lines as they arrive, with their arrival times. */
interface OpenStream {
  req: ClientRequest;
  res: IncomingMessage;
  lines: Array<{ at: number; event: AskBody }>;
  /** Resolves with the lines once the server ends the stream. */
  ended: Promise<void>;
  nextLine(): Promise<AskBody>;
}

function openStream(
  baseUrl: string,
  key: string,
  body: object,
  headers: Record<string, string> = {},
): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${baseUrl}/api/v1/voicebox/stream/ask`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'x-client-id': 'alice',
          'content-type': 'application/json',
          ...headers,
        },
      },
      (res) => {
        const lines: OpenStream['lines'] = [];
        const waiters: Array<() => void> = [];
        let buffered = '';
        let read = 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffered += chunk;
          for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
            lines.push({ at: Date.now(), event: JSON.parse(buffered.slice(0, i)) as AskBody });
            buffered = buffered.slice(i + 1);
          }
          for (const w of waiters.splice(0)) w();
        });
        const ended = new Promise<void>((done) => {
          res.on('end', done);
          res.on('close', done);
        });
        resolve({
          req,
          res,
          lines,
          ended,
          async nextLine() {
            while (read >= lines.length) await new Promise<void>((w) => waiters.push(w));
            return lines[read++].event;
          },
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('POST /api/v1/voicebox/stream/ask over a real connection', () => {
  let wire: OpenAiWireServer;
  let t: VoiceboxTestApp;
  let baseUrl: string;
  beforeAll(async () => {
    wire = await OpenAiWireServer.start();
    t = await startVoicebox(wire);
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await t?.close();
    await wire?.close();
  });
  afterEach(() => wire.reset());

  it('sends one NDJSON line per step as it happens, the first before the first LLM call returns', async () => {
    const MODEL_DELAY_MS = 1500;
    wire.reply(
      { ...sparqlReply(KAREN_DEPT_QUERY), delayMs: MODEL_DELAY_MS },
      answerReply('Ms. Brant works in the Marketing department of the company.'),
    );
    const started = Date.now();
    const s = await openStream(baseUrl, t.key, { query: 'In which department is Ms. Brant?' });
    expect(s.res.statusCode).toBe(200);
    expect(s.res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const first = await s.nextLine();
    // The model was asked but has not answered yet when the first line arrived.
    expect(s.lines[0].at - started).toBeLessThan(MODEL_DELAY_MS);
    expect(first.pending).toBe(true);
    await s.ended;

    const events = s.lines.map((l) => l.event);
    expect(events.slice(0, -1).every((e) => e.pending === true)).toBe(true);
    const last = events.at(-1)!;
    expect(last.pending).toBe(false);
    expect(last.result).toBe('Ms. Brant works in the Marketing department of the company.');
    expect(actionOf(last, 'sparql')).toBe(KAREN_DEPT_QUERY);
    // Every line is of the ask shape, for the same conversation and message.
    for (const e of events) {
      expect(e.conversation_id).toBe(last.conversation_id);
      expect(e.message_id).toBe(last.message_id);
    }
    // Steps appear in order: the query before the row count, the row count before the answer text.
    const firstWith = (type: string) => events.findIndex((e) => actionOf(e, type) !== undefined);
    expect(firstWith('sparql')).toBeGreaterThan(0);
    expect(firstWith('row_count')).toBeGreaterThanOrEqual(firstWith('sparql'));
    // Each pending line says what the turn is doing now.
    const statuses = [...new Set(events.map((e) => actionOf(e, 'status')).filter(Boolean))];
    expect(statuses).toEqual([
      'understanding the question',
      'linking the entities the question names',
      'writing the query',
      'checking and running the query',
      'writing the answer',
    ]);
    expect(actionOf(last, 'status')).toBeUndefined();
    // The answer text grows over several lines as the model writes it.
    const texts = events.map((e) => e.result).filter((r) => r.startsWith('Ms. Brant'));
    expect(new Set(texts).size).toBeGreaterThan(2);
  });

  it('a client that disconnects while the model writes the query aborts the LLM call and stores nothing', async () => {
    const question = 'In which department is Ms. Brant, asked by a client who leaves?';
    wire.reply({ kind: 'hang' });
    const s = await openStream(baseUrl, t.key, { query: question });
    await s.nextLine();
    const closed = wire.clientClosed();
    // Wait until the LLM request is in flight, then leave.
    while (wire.requests.length === 0) await new Promise((r) => setTimeout(r, 20));
    s.req.destroy();
    await closed;
    expect(wire.requests[0].clientClosed).toBe(true);
    const { rows } = await t.app
      .get(Database)
      .query<{ n: string }>('SELECT count(*) AS n FROM conversation_messages WHERE question = $1', [
        question,
      ]);
    expect(Number(rows[0].n)).toBe(0);
  });
});

describe('stream/ask: a client that disconnects while the query runs', () => {
  let wire: OpenAiWireServer;
  let stardog: StardogWireServer;
  let t: VoiceboxTestApp;
  let baseUrl: string;
  beforeAll(async () => {
    const ck25 = (f: string) =>
      readFileSync(new URL(`../../data/ck25/${f}`, import.meta.url), 'utf8');
    stardog = await new StardogWireServer({
      users: { reader: 'reader-pass' },
      databases: { ck25: ck25('prod-vocab.ttl') + '\n' + ck25('prod-inst.ttl') },
    }).start();
    wire = await OpenAiWireServer.start();
    t = await startVoicebox(wire);
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await t?.close();
    await wire?.close();
    await stardog?.stop();
  });

  it('closes the query on the store', async () => {
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const conn = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/connections',
      headers: admin,
      payload: {
        name: 'stardog-abort',
        kind: 'stardog',
        endpoint: stardog.baseUrl,
        credential: { kind: 'basic', username: 'reader', password: 'reader-pass' },
      },
    });
    expect(conn.statusCode).toBe(201);
    const app = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/apps',
      headers: admin,
      payload: {
        name: 'stardog-abort',
        connection_id: conn.json<{ id: string }>().id,
        database: 'ck25',
      },
    });
    expect(app.statusCode).toBe(201);
    const key = (
      await t.app.inject({
        method: 'POST',
        url: `/api/v1/admin/apps/${app.json<{ id: string }>().id}/keys`,
        headers: admin,
        payload: { name: 'abort-test' },
      })
    ).json<{ key: string }>().key;

    // The store never answers the pipeline's query (its variable marks it); schema queries pass.
    stardog.hangWhen = (q) => q.includes('?hangHere');
    const slow = `PREFIX pv: <${PV}>
SELECT DISTINCT ?hangHere WHERE { <${KAREN}> pv:memberOf ?hangHere }`;
    wire.reply(sparqlReply(slow), answerReply('never written'));
    const s = await openStream(baseUrl, key, { query: 'In which department is Ms. Brant?' });
    // Leave once the query has been sent to the store.
    const deadline = Date.now() + 20_000;
    while (!stardog.queryRequests.some((r) => r.form.query?.[0]?.includes('?hangHere'))) {
      if (Date.now() > deadline) throw new Error('the query never reached the store');
      await new Promise((r) => setTimeout(r, 20));
    }
    s.req.destroy();
    const until = Date.now() + 5_000;
    while (!stardog.abandonedQueries.some((q) => q.includes('?hangHere'))) {
      if (Date.now() > until) throw new Error('the store query was not aborted');
      await new Promise((r) => setTimeout(r, 20));
    }
    // Only the query was made of the model; the answer was never asked for.
    expect(wire.requests).toHaveLength(1);
  });
});
