import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedTestDatabaseEnv } from '../support/postgres.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { ADMIN, ADMIN_TOKEN } from './apps-kit.js';
import { ROOT, ensureCliBuilt, runCli } from './cli-kit.js';

const PV = 'http://ld.company.org/prod-vocab/';
const HOCH = 'http://ld.company.org/prod-instances/empl-Heinrich.Hoch%40company.org';
const MANAGER_QUESTION = 'Who is the manager of Heinrich Hoch?';
const MANAGER_QUERY = `PREFIX pv: <${PV}>\nSELECT DISTINCT ?result WHERE { <${HOCH}> pv:hasManager ?result . }`;
const CK25_DEV_QUESTIONS = join(ROOT, 'data', 'ck25', 'questions-dev.yml');

interface ExampleBody {
  id: string;
  app_id: string;
  question: string;
  sparql: string;
}

// The service (demo on, no language model) and each CLI run share one fresh database; the CLI
// checks a query against the CK25 graph of its own embedded store, the service answers from its own.
describe('voicebox-admin add-example, list-examples, import-examples', { timeout: 300_000 }, () => {
  let env: Record<string, string>;
  let service: TestApp;
  let appId: string;
  let key: string;
  let scratch: string;

  const cli = (args: string[]) => runCli(args, env);

  const listViaApi = async (id: string) => {
    const res = await service.app.inject({
      method: 'GET',
      url: `/api/v1/admin/apps/${id}/examples?limit=500`,
      headers: ADMIN,
    });
    return res.json<ExampleBody[]>();
  };

  /** The app's public API with no LLM configured: only a stored question can be answered. */
  const ask = (query: string) =>
    service.app.inject({
      method: 'POST',
      url: '/api/v1/voicebox/ask',
      headers: { authorization: `Bearer ${key}`, 'x-client-id': 'alice' },
      payload: { query },
    });

  beforeAll(async () => {
    await ensureCliBuilt();
    scratch = await mkdtemp(join(tmpdir(), 'voicebox-cli-examples-'));
    env = await sharedTestDatabaseEnv();
    service = await startTestApp({ VOICEBOX_ADMIN_TOKEN: ADMIN_TOKEN, ...env });
    const app = await cli(['create-app', '--name', 'cli-examples', '--database', 'ck25']);
    expect(app.code, app.stderr).toBe(0);
    appId = (JSON.parse(app.stdout) as { id: string }).id;
    const made = await cli(['create-key', '--app', 'cli-examples', '--name', 't', '--key-only']);
    expect(made.code, made.stderr).toBe(0);
    key = made.stdout.trim();
  });
  afterAll(async () => {
    await service?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it('stores an example the service then answers with, without a model, and lists it as the admin API does', async () => {
    // No model is configured: the question is answerable only through the stored query.
    const before = await ask('who is the manager of heinrich hoch');
    expect(before.statusCode).toBe(503);

    const added = await cli([
      'add-example',
      '--app',
      'cli-examples',
      '--question',
      MANAGER_QUESTION,
      '--sparql',
      MANAGER_QUERY,
    ]);
    expect(added.code, added.stderr).toBe(0);
    const example = JSON.parse(added.stdout) as ExampleBody;
    expect(example).toMatchObject({ app_id: appId, question: MANAGER_QUESTION });

    const listed = await cli(['list-examples', '--app', appId]);
    expect(listed.code, listed.stderr).toBe(0);
    const examples = JSON.parse(listed.stdout) as ExampleBody[];
    expect(examples).toEqual(await listViaApi(appId));
    expect(examples.map((e) => e.id)).toEqual([example.id]);

    const after = await ask('who is the manager of heinrich hoch');
    expect(after.statusCode, after.body).toBe(200);
    const body = after.json<{ result: string; actions: Array<{ type: string; value: unknown }> }>();
    expect(body.result).toContain(`The stored query for “${MANAGER_QUESTION}” found 1 result`);
    expect(body.actions.find((a) => a.type === 'sparql')?.value).toBe(example.sparql);
  });

  it('reads the query from --sparql-file, declaring missing PREFIXes as the admin API does', async () => {
    const file = join(scratch, 'departments.rq');
    await writeFile(file, 'SELECT ?d WHERE { ?d a pv:Department }\n');
    const added = await cli([
      'add-example',
      '--app',
      'cli-examples',
      '--question',
      'Which departments are there?',
      '--sparql-file',
      file,
    ]);
    expect(added.code, added.stderr).toBe(0);
    const example = JSON.parse(added.stdout) as ExampleBody;
    expect(example.sparql).toMatch(/^PREFIX pv: <http:\/\/ld\.company\.org\/prod-vocab\/>/);
    expect((await listViaApi(appId)).map((e) => e.id)).toContain(example.id);
  });

  it.each([
    [
      'a property the graph does not have',
      `PREFIX pv: <${PV}> SELECT ?m WHERE { <${HOCH}> pv:hasManagr ?m }`,
      /--sparql: is not a valid query: .*hasManagr.* is not a property of this graph/,
    ],
    [
      'an update',
      `PREFIX pv: <${PV}> DELETE WHERE { <${HOCH}> pv:hasManager ?m }`,
      /--sparql: is not a valid query: .*this is an update/,
    ],
  ])(
    'refuses a query with %s, naming the problem, exit 1, storing nothing',
    async (_what, sparql, problem) => {
      const before = await listViaApi(appId);
      const res = await cli([
        'add-example',
        '--app',
        'cli-examples',
        '--question',
        'Who manages Heinrich Hoch?',
        '--sparql',
        sparql,
      ]);
      expect(res.code).toBe(1);
      expect(res.stdout).toBe('');
      expect(res.stderr).toContain('error (request.invalid)');
      expect(res.stderr).toMatch(problem);
      expect(await listViaApi(appId)).toEqual(before);
    },
  );

  it('names an unknown app, a missing --sparql-file and a missing query, exit 1', async () => {
    const noApp = await cli([
      'add-example',
      '--app',
      'no-such-app',
      '--question',
      MANAGER_QUESTION,
      '--sparql',
      MANAGER_QUERY,
    ]);
    expect(noApp.code).toBe(1);
    expect(noApp.stderr).toMatch(/error \(app\.not_found\): .*no-such-app/);
    expect((await cli(['list-examples', '--app', 'no-such-app'])).stderr).toMatch(/app\.not_found/);

    const missing = join(scratch, 'nowhere.rq');
    const noFile = await cli([
      'add-example',
      '--app',
      'cli-examples',
      '--question',
      'q',
      '--sparql-file',
      missing,
    ]);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toContain(`--sparql-file: cannot be read: ENOENT`);
    expect(noFile.stderr).toContain(missing);

    const noQuery = await cli(['add-example', '--app', 'cli-examples', '--question', 'q']);
    expect(noQuery.code).toBe(1);
    expect(noQuery.stderr).toMatch(/^ {2}--sparql: /m);
  });

  it('imports the CK25 dev questions file, and again without duplicates', async () => {
    const app = await cli(['create-app', '--name', 'cli-import', '--database', 'ck25']);
    expect(app.code, app.stderr).toBe(0);
    const id = (JSON.parse(app.stdout) as { id: string }).id;

    const first = await cli([
      'import-examples',
      '--app',
      'cli-import',
      '--file',
      CK25_DEV_QUESTIONS,
    ]);
    expect(first.code, first.stderr).toBe(0);
    const out = JSON.parse(first.stdout) as { app_id: string; imported: number };
    expect(out).toMatchObject({ app_id: id, imported: 25 });
    const stored = await listViaApi(id);
    expect(stored).toHaveLength(25);
    expect(stored[0].question).toBe('In which department is Ms. Brant?');

    // A question the app has (any case) gets the file's query again: still 25.
    const again = await cli(['import-examples', '--app', id, '--file', CK25_DEV_QUESTIONS]);
    expect(again.code, again.stderr).toBe(0);
    expect(await listViaApi(id)).toHaveLength(25);
    const listed = JSON.parse(
      (await cli(['list-examples', '--app', 'cli-import'])).stdout,
    ) as unknown[];
    expect(listed).toHaveLength(25);
  });

  it('imports all or nothing: one invalid query is named with its question, and nothing is stored', async () => {
    const file = join(scratch, 'mixed.yml');
    await writeFile(
      file,
      [
        'questions:',
        '  - question: { en: "Who is the manager of Heinrich Hoch?" }',
        `    query: { sparql: ${JSON.stringify(MANAGER_QUERY)} }`,
        '  - question: { en: "Who is the boss of Heinrich Hoch?" }',
        `    query: { sparql: "PREFIX pv: <${PV}> SELECT ?m WHERE { <${HOCH}> pv:hasBoss ?m }" }`,
        '',
      ].join('\n'),
    );
    const app = await cli(['create-app', '--name', 'cli-mixed', '--database', 'ck25']);
    const id = (JSON.parse(app.stdout) as { id: string }).id;
    const res = await cli(['import-examples', '--app', 'cli-mixed', '--file', file]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /^ {2}examples\[1\]\.sparql: is not a valid query for “Who is the boss of Heinrich Hoch\?”: .*hasBoss/m,
    );
    expect(await listViaApi(id)).toEqual([]);

    const missing = await cli([
      'import-examples',
      '--app',
      'cli-mixed',
      '--file',
      join(scratch, 'none.yml'),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--file: cannot be read: ENOENT');
    const noFlag = await cli(['import-examples', '--app', 'cli-mixed']);
    expect(noFlag.code).toBe(1);
    expect(noFlag.stderr).toContain('--file: is required');
  });

  it('lists the three commands in --help, on stdout', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['add-example', 'list-examples', 'import-examples']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    expect(help.stdout).toContain('--sparql-file PATH');
  });
});
