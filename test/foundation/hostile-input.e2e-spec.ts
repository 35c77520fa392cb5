import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/test-app.js';
import {
  ADMIN,
  ADMIN_TOKEN,
  admin,
  dbOf,
  fieldsOf,
  startAppsTestApp,
  type AppBody,
  type ErrorBody,
} from '../apps/apps-kit.js';

const APPS = '/api/v1/admin/apps';
const CONNECTIONS = '/api/v1/admin/connections';

/** One raw HTTP/1.1 exchange: what Node's parser sees, duplicates and control characters included. */
function rawRequest(
  port: number,
  head: string,
): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (data += d));
    socket.on('error', reject);
    socket.on('end', () => {
      const [headers, ...rest] = data.split('\r\n\r\n');
      resolve({ status: Number(headers.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
    socket.write(`${head}Connection: close\r\n\r\n`);
  });
}

function requestIdHeader(headers: string): string | undefined {
  return /\r\nx-request-id: *([^\r\n]+)/i.exec(headers)?.[1];
}

describe('hostile input: never a 500, always our error shape', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await startAppsTestApp({});
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.getHttpServer().address() as { port: number }).port;
  });
  afterAll(async () => {
    await t?.close();
  });

  const countApps = async () =>
    Number((await dbOf(t).query<{ n: string }>('SELECT count(*) AS n FROM apps')).rows[0].n);

  it('a NUL character in any text field is a 400 naming it', async () => {
    const conn = await admin(t.app, 'POST', CONNECTIONS, {
      name: 'nul\u0000name',
      kind: 'sparql',
      endpoint: 'http://127.0.0.1:7878/query',
      credential: { kind: 'basic', username: 'u\u0000', password: 'p' },
    });
    expect(conn.status).toBe(400);
    expect(fieldsOf(conn.body)).toEqual(['credential.username', 'name']);
    const app = await admin(t.app, 'POST', APPS, {
      name: 'a',
      database: 'db',
      named_graphs: ['urn:g:\u0000'],
    });
    expect(app.status).toBe(400);
    expect(fieldsOf(app.body)).toEqual(['named_graphs[0]']);
  });

  it('credential sent as an array is a 400 naming it', async () => {
    const res = await admin(t.app, 'POST', CONNECTIONS, {
      name: 'arr',
      kind: 'sparql',
      endpoint: 'http://127.0.0.1:7878/query',
      credential: [{ kind: 'none' }],
    });
    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(['credential']);
  });

  it('a deeply nested body is a 400 naming the field, even one that would be stripped', async () => {
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    const res = await t.app.inject({
      method: 'POST',
      url: APPS,
      headers: { ...ADMIN, 'content-type': 'application/json' },
      payload: `{"name":"deep","database":"db","junk":${deep}}`,
    });
    expect(res.statusCode).toBe(400);
    const body = res.json<ErrorBody>();
    expect(body.code).toBe('request.invalid');
    expect(body.errors?.[0].field).toMatch(/^junk\[0\]/);
  });

  it('routing errors come in the error shape with request_id and X-Request-Id', async () => {
    const long = await t.app.inject({
      method: 'GET',
      url: `${APPS}/${'a'.repeat(300)}`,
      headers: ADMIN,
    });
    expect(long.statusCode).toBe(414);
    expect(long.json()).toMatchObject({ code: 'request.uri_too_long', status: 414 });
    expect(long.json<{ request_id: string }>().request_id).toBe(long.headers['x-request-id']);
    const bad = await t.app.inject({ method: 'GET', url: `${APPS}/%zz`, headers: ADMIN });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'request.bad_url', status: 400 });
    expect(bad.json<{ request_id: string }>().request_id).toBe(bad.headers['x-request-id']);
  });

  it('a control character in a header is a 400 in the error shape', async () => {
    const res = await rawRequest(
      port,
      `GET /api/v1/app HTTP/1.1\r\nHost: x\r\nX-Client-Id: al\u0001ice\r\n`,
    );
    expect(res.status).toBe(400);
    const body = JSON.parse(res.body) as { code: string; request_id: string };
    expect(body.code).toBe('request.malformed');
    expect(body.request_id).toBe(requestIdHeader(res.headers));
  });

  it('form and text bodies are 415 and create nothing', async () => {
    const before = await countApps();
    for (const [type, payload] of [
      ['application/x-www-form-urlencoded', 'name=form-app&database=db'],
      ['text/plain', '{"name":"text-app","database":"db"}'],
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: APPS,
        headers: { ...ADMIN, 'content-type': type },
        payload,
      });
      expect(res.statusCode, type).toBe(415);
      expect(res.json<ErrorBody>().code).toBe('request.unsupported_media_type');
    }
    expect(await countApps()).toBe(before);
  });

  it('DELETE with Content-Type: application/json and no body is accepted', async () => {
    const made = await admin<AppBody>(t.app, 'POST', APPS, { name: 'to-delete', database: 'db' });
    const res = await t.app.inject({
      method: 'DELETE',
      url: `${APPS}/${made.body.id}`,
      headers: { ...ADMIN, 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(204);
  });

  it('an unknown field is a 400 naming it; PATCH changes nothing', async () => {
    const made = await admin<AppBody>(t.app, 'POST', APPS, { name: 'strict', database: 'db' });
    const res = await admin(t.app, 'PATCH', `${APPS}/${made.body.id}`, {
      namedGraphs: ['urn:g:1'],
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'namedGraphs', reason: 'is not a known field' }]);
    const got = await admin<AppBody>(t.app, 'GET', `${APPS}/${made.body.id}`);
    expect(got.body.named_graphs).toEqual([]);
  });

  it('refuses blank names and over-long graph IRIs', async () => {
    const blank = await admin(t.app, 'POST', APPS, { name: '   ', database: '\t' });
    expect(blank.status).toBe(400);
    expect(fieldsOf(blank.body)).toEqual(['database', 'name']);
    const conn = await admin(t.app, 'POST', CONNECTIONS, {
      name: ' ',
      kind: 'embedded',
      credential: { kind: 'none' },
    });
    expect(fieldsOf(conn.body)).toEqual(['name']);
    const long = await admin(t.app, 'POST', APPS, {
      name: 'long-iri',
      database: 'db',
      named_graphs: [`urn:g:${'x'.repeat(3000)}`],
    });
    expect(long.status).toBe(400);
    expect(fieldsOf(long.body)).toEqual(['named_graphs']);
  });

  it('admin lists are paginated: limit, offset, X-Total-Count and Link', async () => {
    for (let i = 0; i < 3; i++)
      await admin(t.app, 'POST', APPS, { name: `page-${i}`, database: 'db' });
    const total = await countApps();
    const first = await t.app.inject({ method: 'GET', url: `${APPS}?limit=2`, headers: ADMIN });
    expect(first.statusCode).toBe(200);
    expect(first.json<AppBody[]>()).toHaveLength(2);
    expect(first.headers['x-total-count']).toBe(String(total));
    expect(first.headers.link).toBe(`<${APPS}?limit=2&offset=2>; rel="next"`);
    const last = await t.app.inject({
      method: 'GET',
      url: `${APPS}?limit=2&offset=${total - 1}`,
      headers: ADMIN,
    });
    expect(last.json<AppBody[]>()).toHaveLength(1);
    expect(last.headers.link).toBeUndefined();
    const all = await admin<AppBody[]>(t.app, 'GET', APPS);
    expect(all.body).toHaveLength(total);
    const bad = await admin(t.app, 'GET', `${APPS}?limit=0&offset=-1`);
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body)).toEqual(['limit', 'offset']);
  });

  it('two X-Client-Id or Authorization headers are a 400 naming the header', async () => {
    const twoClients = await rawRequest(
      port,
      `GET /api/v1/app HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\nX-Client-Id: alice\r\nX-Client-Id: bob\r\n`,
    );
    expect(twoClients.status).toBe(400);
    expect(JSON.parse(twoClients.body)).toMatchObject({
      code: 'request.invalid',
      errors: [{ field: 'X-Client-Id', reason: 'header must be sent once' }],
    });
    const twoTokens = await rawRequest(
      port,
      `GET ${APPS} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nAuthorization: Bearer other\r\n`,
    );
    expect(twoTokens.status).toBe(400);
    expect(JSON.parse(twoTokens.body)).toMatchObject({ errors: [{ field: 'Authorization' }] });
    for (const h of ['X-Voicebox-App-Key', 'X-SD-Auth-Token']) {
      const res = await rawRequest(
        port,
        `GET /api/v1/app HTTP/1.1\r\nHost: x\r\n${h}: a\r\n${h}: b\r\n`,
      );
      expect(res.status, h).toBe(400);
    }
    const once = await rawRequest(
      port,
      `GET ${APPS} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\n`,
    );
    expect(once.status).toBe(200);
  });
});
