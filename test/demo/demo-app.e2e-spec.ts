import { afterEach, describe, expect, it } from 'vitest';
import { AppsService } from '../../src/apps/apps.service.js';
import { ConnectionsService } from '../../src/apps/connections.service.js';
import { kgTargetOf } from '../../src/voicebox/app-kg-target.js';
import { KnowledgeGraphService } from '../../src/knowledge-graph/knowledge-graph.service.js';
import { sharedTestDatabaseEnv } from '../support/postgres.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const ADMIN_TOKEN = 'demo-test-admin-token-0123456789';
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe('the demo app on the embedded defaults', () => {
  const apps: TestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((t) => t.close()));
  });
  const start = async (env: Record<string, string>) => {
    const t = await startTestApp({ VOICEBOX_ADMIN_TOKEN: ADMIN_TOKEN, ...env });
    apps.push(t);
    return t;
  };

  it('is created on first start and answers with a fresh key over the CK25 graph', async () => {
    const t = await start(await sharedTestDatabaseEnv());
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/admin/apps', headers: ADMIN });
    const demo = list.json<Array<{ id: string; name: string; database: string }>>();
    expect(demo).toHaveLength(1);
    expect(demo[0]).toMatchObject({ name: 'ck25-demo', database: 'ck25' });

    const created = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/apps/${demo[0].id}/keys`,
      headers: ADMIN,
      payload: { name: 'readme' },
    });
    expect(created.statusCode).toBe(201);
    const key = created.json<{ key: string }>().key;
    const settings = await t.app.inject({
      method: 'GET',
      url: '/api/v1/app',
      headers: { authorization: `Bearer ${key}`, 'x-client-id': 'alice' },
    });
    expect(settings.statusCode).toBe(200);
    expect(settings.json()).toMatchObject({
      name: 'ck25-demo',
      database: 'ck25',
      named_graphs: [],
      reasoning: false,
    });

    // The app's connection leads to the embedded store with CK25 loaded (gold question 1).
    const app = await t.app.get(AppsService).get(demo[0].id);
    const connection = await t.app.get(ConnectionsService).resolveForApp(app.id);
    expect(connection).toMatchObject({ kind: 'embedded', credential: { kind: 'none' } });
    const result = await t.app.get(KnowledgeGraphService).query(
      kgTargetOf(app, connection),
      `PREFIX pv: <http://ld.company.org/prod-vocab/>
       SELECT DISTINCT ?result WHERE {
         <http://ld.company.org/prod-instances/empl-Karen.Brant%40company.org> pv:memberOf ?result .
         ?result a pv:Department . }`,
    );
    expect(JSON.stringify(result)).toContain('http://ld.company.org/prod-instances/dept-');
  });

  it('is not created again on a restart, nor next to an operator-made app', async () => {
    const env = await sharedTestDatabaseEnv();
    await (await start(env)).close();
    apps.length = 0;
    const again = await start(env);
    const list = await again.app.inject({
      method: 'GET',
      url: '/api/v1/admin/apps',
      headers: ADMIN,
    });
    expect(list.json<unknown[]>()).toHaveLength(1);
  });

  it('is not created with VOICEBOX_EMBEDDED_DEMO=false', async () => {
    const t = await start({ ...(await sharedTestDatabaseEnv()), VOICEBOX_EMBEDDED_DEMO: 'false' });
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/admin/apps', headers: ADMIN });
    expect(list.json()).toEqual([]);
  });
});
