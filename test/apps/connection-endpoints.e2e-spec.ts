import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../support/postgres.js';
import type { TestApp } from '../support/test-app.js';
import {
  ADMIN,
  admin,
  fieldsOf,
  startAppsTestApp,
  type ConnectionBody,
  type ErrorBody,
} from './apps-kit.js';

const BASE = '/api/v1/admin/connections';
const PASSWORD = 'url-password-5e6f7a8b';

describe('admin API: where a connection may point', () => {
  let pgs: TestPostgres;
  let t: TestApp;
  let allowing: TestApp;

  beforeAll(async () => {
    pgs = await startTestPostgres();
    t = await startAppsTestApp(await pgs.freshDatabaseEnv());
    allowing = await startAppsTestApp({
      ...(await pgs.freshDatabaseEnv()),
      VOICEBOX_ALLOW_LINK_LOCAL_ENDPOINTS: 'true',
    });
  });
  afterAll(async () => {
    await t?.close();
    await allowing?.close();
    await pgs?.stop();
  });

  let seq = 0;
  const connection = (fields: object) => ({
    name: `c-${++seq}`,
    kind: 'stardog',
    endpoint: 'https://stardog.example.com:5820',
    credential: { kind: 'none' },
    ...fields,
  });

  it('refuses user:password in an endpoint URL with 400 naming the field, never echoing them', async () => {
    for (const field of ['endpoint', 'internal_endpoint']) {
      const res = await admin<ErrorBody>(
        t.app,
        'POST',
        BASE,
        connection({ [field]: `https://admin:${PASSWORD}@stardog.example.com:5820` }),
      );
      expect(res.status).toBe(400);
      expect(fieldsOf(res.body)).toEqual([field]);
      expect(res.body.errors![0].reason).toMatch(/user:password.*credential/);
      expect(res.raw).not.toContain(PASSWORD);
    }
    const created = await admin<ConnectionBody>(t.app, 'POST', BASE, connection({}));
    expect(created.status).toBe(201);
    const patched = await admin<ErrorBody>(t.app, 'PATCH', `${BASE}/${created.body.id}`, {
      endpoint: `http://reader:${PASSWORD}@10.0.0.5:5820`,
    });
    expect(patched.status).toBe(400);
    expect(fieldsOf(patched.body)).toEqual(['endpoint']);
    expect(patched.raw).not.toContain(PASSWORD);
  });

  const metadataAddresses = [
    'http://169.254.169.254/latest/meta-data/',
    'http://169.254.1.1:5820',
    // The same address spelled as one number, in hex and in octal: the URL parser normalises them.
    'http://2852039166/',
    'http://0xa9fea9fe/',
    'http://0251.0376.0251.0376/',
    'http://[::ffff:169.254.169.254]/',
    'http://[::ffff:a9fe:a9fe]:80/',
    'http://[fd00:ec2::254]/',
    'http://[fe80::1]:5820',
  ];

  it('refuses link-local and cloud metadata addresses, IPv4-mapped forms included', async () => {
    for (const url of metadataAddresses) {
      for (const field of ['endpoint', 'internal_endpoint']) {
        const res = await admin<ErrorBody>(t.app, 'POST', BASE, connection({ [field]: url }));
        expect(res.status, `${field} ${url}`).toBe(400);
        expect(fieldsOf(res.body)).toEqual([field]);
        expect(res.body.errors![0].reason).toMatch(/VOICEBOX_ALLOW_LINK_LOCAL_ENDPOINTS/);
      }
    }
    // Ordinary private and loopback addresses stay allowed (Stardog inside the cluster, tests).
    for (const url of ['http://10.0.0.5:5820', 'http://127.0.0.1:5820', 'http://[::1]:5820']) {
      expect((await admin(t.app, 'POST', BASE, connection({ endpoint: url }))).status, url).toBe(
        201,
      );
    }
  });

  it('allows them when VOICEBOX_ALLOW_LINK_LOCAL_ENDPOINTS is on', async () => {
    for (const url of metadataAddresses) {
      const res = await admin(allowing.app, 'POST', BASE, connection({ endpoint: url }));
      expect(res.status, url).toBe(201);
    }
  });
});

describe('admin API: repeated wrong admin tokens from one address', () => {
  let pgs: TestPostgres;
  let t: TestApp;

  beforeAll(async () => {
    pgs = await startTestPostgres();
    t = await startAppsTestApp({
      ...(await pgs.freshDatabaseEnv()),
      VOICEBOX_ADMIN_AUTH_MAX_FAILURES: '3',
      // Behind a proxy: the client address is the one X-Forwarded-For names.
      VOICEBOX_TRUST_PROXY: 'true',
    });
  });
  afterAll(async () => {
    await t?.close();
    await pgs?.stop();
  });

  const call = (from: string, authorization: string) =>
    t.app.inject({
      method: 'GET',
      url: BASE,
      headers: { authorization, 'x-forwarded-for': from },
    });

  it('are answered 429 with Retry-After after the limit, for that address only', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await call('203.0.113.7', 'Bearer wrong-admin-token-guess');
      expect(res.statusCode).toBe(401);
    }
    const limited = await call('203.0.113.7', 'Bearer wrong-admin-token-guess');
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: 'auth.too_many_failures' });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Even the right token waits: otherwise guessing would go on.
    expect((await call('203.0.113.7', ADMIN.authorization)).statusCode).toBe(429);
    // Another client behind the same proxy is not affected.
    expect((await call('198.51.100.2', ADMIN.authorization)).statusCode).toBe(200);
    // A request without a token is no guess and is not counted.
    for (let i = 0; i < 5; i++) {
      const res = await t.app.inject({
        method: 'GET',
        url: BASE,
        headers: { 'x-forwarded-for': '198.51.100.3' },
      });
      expect(res.statusCode).toBe(401);
    }
    expect((await call('198.51.100.3', ADMIN.authorization)).statusCode).toBe(200);
  });
});
