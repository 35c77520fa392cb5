import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llmConfig, writeVbxConfig } from '../llm/llm-test-kit.js';
import { OpenAiWireServer } from '../support/llm-wire/openai-wire-server.js';
import { SERVED_BY_HEADER, startNginx, type NginxBalancer } from '../support/nginx.js';
import { sharedTestDatabaseEnv } from '../support/postgres.js';
import { spawnReadyService, type ServiceProcess } from '../support/service-process.js';
import {
  ADMIN_TOKEN,
  KAREN,
  KAREN_DEPT_QUERY,
  OPENAI_KEY,
  PV,
  actionOf,
  answerReply,
  sparqlReply,
  type AskBody,
} from '../voicebox/voicebox-kit.js';

const MANAGER_QUERY = `PREFIX pv: <${PV}>
SELECT DISTINCT ?manager WHERE { <${KAREN}> pv:hasManager ?manager }`;
const PER_KEY = 10;
const PER_CLIENT = 4;
// An hour's window: a test's few seconds almost never straddle two windows.
const WINDOW_SECONDS = 3600;
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };

interface Reply {
  status: number;
  servedBy: string;
  body: string;
}

/**
 * Issue 19 item 5: three real service processes behind a real nginx, sharing one PostgreSQL. State
 * that must hold across replicas (conversations, key revocation, rate limits) lives in the database;
 * a replica that dies mid-answer takes nothing stored with it.
 */
describe('three instances behind nginx on one PostgreSQL', { timeout: 90_000 }, () => {
  let wire: OpenAiWireServer;
  let instances: ServiceProcess[] = [];
  let lb: NginxBalancer | undefined;
  let db: pg.Client;
  let appId: string;

  beforeAll(async () => {
    wire = await OpenAiWireServer.start();
    const env = {
      ...(await sharedTestDatabaseEnv()),
      VOICEBOX_ADMIN_TOKEN: ADMIN_TOKEN,
      OPENAI_API_KEY: OPENAI_KEY,
      LLM_MAX_RETRIES: '0',
      VBX_CONFIG_FILE: writeVbxConfig({
        default_llm_config: llmConfig('openai', 'gpt-4o', { server_url: `${wire.url}/v1` }),
      }),
      VOICEBOX_RATE_LIMIT_PER_KEY: String(PER_KEY),
      VOICEBOX_RATE_LIMIT_PER_CLIENT: String(PER_CLIENT),
      VOICEBOX_RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
    };
    // Every instance that started is kept for afterAll to stop, even when another one failed.
    const started = await Promise.allSettled([0, 1, 2].map(() => spawnReadyService(env)));
    instances = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    lb = await startNginx(instances.map((i) => i.port));
    db = new pg.Client({ connectionString: env.DATABASE_URL });
    await db.connect();
    const app = await send('POST', `${lb.url}/api/v1/admin/apps`, ADMIN, {
      name: `scale-${randomBytes(4).toString('hex')}`,
      database: 'ck25',
    });
    expect(app.status, app.body).toBe(201);
    appId = (JSON.parse(app.body) as { id: string }).id;
  });

  afterAll(async () => {
    for (const i of instances) {
      if (i.child.exitCode === null && i.child.signalCode === null) i.child.kill('SIGKILL');
    }
    await lb?.stop();
    await db?.end();
    await wire?.close();
  });

  const issueKey = async (name: string) => {
    const res = await send('POST', `${lb!.url}/api/v1/admin/apps/${appId}/keys`, ADMIN, { name });
    expect(res.status, res.body).toBe(201);
    return JSON.parse(res.body) as { id: string; key: string };
  };
  const voicebox = (key: string, clientId: string) => ({
    authorization: `Bearer ${key}`,
    'x-client-id': clientId,
    'content-type': 'application/json',
  });
  const instanceAt = (servedBy: string) => instances.find((i) => servedBy.endsWith(`:${i.port}`));

  it('continues a conversation whichever instance serves the next turn', async () => {
    const { key } = await issueKey('conversation');
    const ask = (body: object) =>
      send('POST', `${lb!.url}/api/v1/voicebox/ask`, voicebox(key, 'carol'), body);

    wire.reply(sparqlReply(KAREN_DEPT_QUERY), answerReply('Ms. Brant works in Marketing.'));
    const first = await ask({ query: 'In which department is Ms. Brant?' });
    expect(first.status, first.body).toBe(200);
    const conversationId = (JSON.parse(first.body) as AskBody).conversation_id;

    wire.reply(
      answerReply('Who is the manager of Karen Brant?'),
      sparqlReply(MANAGER_QUERY),
      answerReply('Her manager is someone.'),
    );
    const second = await ask({ query: 'And who manages her?', conversation_id: conversationId });
    expect(second.status, second.body).toBe(200);
    wire.reply(
      answerReply('Which department does the manager of Karen Brant work in?'),
      sparqlReply(KAREN_DEPT_QUERY),
      answerReply('The same department.'),
    );
    const third = await ask({
      query: 'And where does that person work?',
      conversation_id: conversationId,
    });
    expect(third.status, third.body).toBe(200);

    // Round robin: each turn on another replica, each seeing the turns the others stored.
    expect(new Set([first, second, third].map((r) => r.servedBy)).size).toBe(3);
    for (const r of [second, third]) {
      expect((JSON.parse(r.body) as AskBody).conversation_id).toBe(conversationId);
    }
    const rewritePrompt = JSON.stringify(wire.requests.at(-3)!.body.messages);
    expect(rewritePrompt).toContain('In which department is Ms. Brant?');
    expect(rewritePrompt).toContain('Her manager is someone.');
    expect(actionOf(JSON.parse(third.body) as AskBody, 'rewritten_query')).toBe(
      'Which department does the manager of Karen Brant work in?',
    );
    const { rows } = await db.query<{ question: string }>(
      'SELECT question FROM conversation_messages WHERE conversation_id = $1 ORDER BY created_at',
      [conversationId],
    );
    expect(rows.map((r) => r.question)).toEqual([
      'In which department is Ms. Brant?',
      'And who manages her?',
      'And where does that person work?',
    ]);
    wire.reset();
  });

  it('refuses a key revoked through one instance on every instance within one second', async () => {
    const { id, key } = await issueKey('revoked');
    const getApp = (i: ServiceProcess, client: string) =>
      send('GET', `http://127.0.0.1:${i.port}/api/v1/app`, voicebox(key, client));
    // Each instance has verified (and cached) the key.
    for (const [n, i] of instances.entries()) {
      expect((await getApp(i, `warm-${n}`)).status).toBe(200);
    }
    // Keep every instance's cache busy with the key while it is revoked elsewhere: the hard case.
    let load = true;
    const busy = instances.map(async (i) => {
      while (load) {
        await getApp(i, 'busy');
        await new Promise((r) => setTimeout(r, 10));
      }
    });
    try {
      const revoked = await send(
        'DELETE',
        `http://127.0.0.1:${instances[1].port}/api/v1/admin/apps/${appId}/keys/${id}`,
        ADMIN,
      );
      expect(revoked.status, revoked.body).toBe(204);
      const at = Date.now();
      const refusedAfter = await Promise.all(
        instances.map(async (i) => {
          // 200, or 429 once the busy loop has used up the key's rate: the key is still accepted.
          while ((await getApp(i, 'probe')).status !== 401) {
            await new Promise((r) => setTimeout(r, 20));
          }
          return Date.now() - at;
        }),
      );
      for (const ms of refusedAfter) expect(ms).toBeLessThanOrEqual(1000);
    } finally {
      load = false;
      await Promise.all(busy);
    }
    const viaLb = await send('GET', `${lb!.url}/api/v1/app`, voicebox(key, 'after'));
    expect(viaLb.status).toBe(401);
  });

  it('holds the rate limits across instances: per client and per key', async () => {
    const perClient = await issueKey('per-client');
    const clientRuns: Reply[] = [];
    for (let n = 0; n < PER_CLIENT + 2; n++) {
      clientRuns.push(await send('GET', `${lb!.url}/api/v1/app`, voicebox(perClient.key, 'erin')));
    }
    expect(clientRuns.map((r) => r.status)).toEqual([
      ...Array<number>(PER_CLIENT).fill(200),
      429,
      429,
    ]);
    expect(new Set(clientRuns.map((r) => r.servedBy)).size).toBe(3);
    expect(JSON.parse(clientRuns[PER_CLIENT].body)).toMatchObject({
      code: 'rate_limit.exceeded',
      scope: 'client',
    });

    const perKey = await issueKey('per-key');
    const keyRuns: Reply[] = [];
    for (let n = 0; n < PER_KEY + 2; n++) {
      keyRuns.push(await send('GET', `${lb!.url}/api/v1/app`, voicebox(perKey.key, `user-${n}`)));
    }
    expect(keyRuns.map((r) => r.status)).toEqual([...Array<number>(PER_KEY).fill(200), 429, 429]);
    expect(new Set(keyRuns.map((r) => r.servedBy)).size).toBe(3);
    expect(JSON.parse(keyRuns[PER_KEY].body)).toMatchObject({ scope: 'app_key' });
  });

  it('loses no stored data when an instance is killed mid-stream, and the others keep serving', async () => {
    const { key } = await issueKey('killed');
    const headers = voicebox(key, 'dave');
    wire.reply(sparqlReply(KAREN_DEPT_QUERY), answerReply('Ms. Brant works in Marketing.'));
    const first = await send('POST', `${lb!.url}/api/v1/voicebox/ask`, headers, {
      query: 'In which department is Ms. Brant?',
    });
    expect(first.status, first.body).toBe(200);
    const conversationId = (JSON.parse(first.body) as AskBody).conversation_id;

    // The follow-up hangs in the model (its rewrite call) while the stream is open.
    wire.reply({ kind: 'hang' });
    const stream = await openStream(`${lb!.url}/api/v1/voicebox/stream/ask`, headers, {
      query: 'And who manages her?',
      conversation_id: conversationId,
    });
    expect(stream.res.statusCode).toBe(200);
    expect((await stream.firstLine) as AskBody).toMatchObject({ pending: true });
    const victim = instanceAt(String(stream.res.headers[SERVED_BY_HEADER]))!;
    expect(victim).toBeDefined();
    while (wire.requests.length === 0) await new Promise((r) => setTimeout(r, 20));
    victim.child.kill('SIGKILL');
    await victim.exited;
    // The client sees the stream cut short: no final line.
    expect(await stream.ended).toBe('incomplete');

    // The next turn is answered by a survivor, from the turn stored before the kill.
    wire.reset();
    wire.reply(
      answerReply('Who is the manager of Karen Brant?'),
      sparqlReply(MANAGER_QUERY),
      answerReply('Her manager is someone.'),
    );
    const next = await send('POST', `${lb!.url}/api/v1/voicebox/ask`, headers, {
      query: 'And who manages her?',
      conversation_id: conversationId,
    });
    expect(next.status, next.body).toBe(200);
    expect(instanceAt(next.servedBy)).not.toBe(victim);
    expect(JSON.stringify(wire.requests[0].body.messages)).toContain(
      'Ms. Brant works in Marketing.',
    );
    const { rows } = await db.query<{ question: string; answer: string }>(
      'SELECT question, answer FROM conversation_messages WHERE conversation_id = $1 ORDER BY created_at',
      [conversationId],
    );
    // The turn before the kill is whole; the killed turn left no half-written row.
    expect(rows).toEqual([
      { question: 'In which department is Ms. Brant?', answer: 'Ms. Brant works in Marketing.' },
      { question: 'And who manages her?', answer: 'Her manager is someone.' },
    ]);

    // Every request through the balancer is still answered, by the two survivors only.
    const survivors = instances.filter((i) => i !== victim).map((i) => `127.0.0.1:${i.port}`);
    const afterKey = (await issueKey('after-the-kill')).key;
    const after: Reply[] = [];
    for (let n = 0; n < 8; n++) {
      after.push(await send('GET', `${lb!.url}/api/v1/app`, voicebox(afterKey, `after-${n}`)));
    }
    expect(after.map((r) => r.status)).toEqual(Array<number>(8).fill(200));
    // A request nginx first tried on the dead instance names both addresses; it ends on a survivor.
    const finalHops = after.map((r) => r.servedBy.split(', ').at(-1)!);
    expect(new Set(finalHops)).toEqual(new Set(survivors));
  });
});

async function send(
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: object,
): Promise<Reply> {
  const res = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: res.status,
    servedBy: res.headers.get(SERVED_BY_HEADER) ?? '',
    body: await res.text(),
  };
}

/** An NDJSON stream: its first line, and how it ended (the last line final, or cut short). */
function openStream(
  url: string,
  headers: Record<string, string>,
  body: object,
): Promise<{
  req: ClientRequest;
  res: IncomingMessage;
  firstLine: Promise<unknown>;
  ended: Promise<'complete' | 'incomplete'>;
}> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      let buffered = '';
      let last: AskBody | undefined;
      let gotFirst: (line: unknown) => void = () => {};
      const firstLine = new Promise<unknown>((r) => (gotFirst = r));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
          last = JSON.parse(buffered.slice(0, i)) as AskBody;
          gotFirst(last);
          buffered = buffered.slice(i + 1);
        }
      });
      // An upstream that dies mid-response makes nginx abort the chunked reply: 'aborted'/'error'.
      res.on('error', () => {});
      const ended = new Promise<'complete' | 'incomplete'>((done) => {
        res.on('close', () =>
          done(res.complete && last?.pending === false ? 'complete' : 'incomplete'),
        );
      });
      resolve({ req, res, firstLine, ended });
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
