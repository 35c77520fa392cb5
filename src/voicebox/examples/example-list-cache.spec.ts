import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXAMPLE_LIST_TTL_MS, ExampleListCache } from './example-list-cache.js';
import type { ExampleRecord } from './example.types.js';
import type { ExamplesRepository } from './examples.repository.js';

/** The table as the cache sees it: lists per app, every read counted. */
class CountingRepository {
  reads = 0;
  fail = false;
  rows = new Map<string, ExampleRecord[]>();
  async list(appId: string): Promise<ExampleRecord[]> {
    this.reads++;
    await new Promise((r) => setImmediate(r));
    if (this.fail) throw new Error('connection refused');
    return [...(this.rows.get(appId) ?? [])];
  }
}

const record = (question: string): ExampleRecord => ({
  id: question,
  appId: 'app-1',
  question,
  sparql: 'SELECT * WHERE { ?s ?p ?o }',
  createdAt: new Date(0),
  updatedAt: new Date(0),
});

function setUp() {
  const repo = new CountingRepository();
  return { repo, cache: new ExampleListCache(repo as unknown as ExamplesRepository) };
}

describe('ExampleListCache', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reads an app’s list once for concurrent and following asks within the TTL', async () => {
    const { repo, cache } = setUp();
    repo.rows.set('app-1', [record('q1')]);
    const [a, b] = await Promise.all([cache.list('app-1'), cache.list('app-1')]);
    expect((await cache.list('app-1')).map((e) => e.question)).toEqual(['q1']);
    expect(a).toEqual(b);
    expect(repo.reads).toBe(1);
    await cache.list('app-2');
    expect(repo.reads).toBe(2);
  });

  it('reads again after forget (a change on this replica) and after the TTL (one elsewhere)', async () => {
    const { repo, cache } = setUp();
    await cache.list('app-1');
    repo.rows.set('app-1', [record('added here')]);
    cache.forget('app-1');
    expect((await cache.list('app-1')).map((e) => e.question)).toEqual(['added here']);

    repo.rows.set('app-1', [record('added elsewhere')]);
    const now = performance.now();
    vi.spyOn(performance, 'now').mockReturnValue(now + EXAMPLE_LIST_TTL_MS / 2);
    expect((await cache.list('app-1')).map((e) => e.question)).toEqual(['added here']);
    vi.spyOn(performance, 'now').mockReturnValue(now + EXAMPLE_LIST_TTL_MS + 1);
    expect((await cache.list('app-1')).map((e) => e.question)).toEqual(['added elsewhere']);
    expect(repo.reads).toBe(3);
  });

  it('does not keep a failed read', async () => {
    const { repo, cache } = setUp();
    repo.fail = true;
    await expect(cache.list('app-1')).rejects.toThrow('connection refused');
    repo.fail = false;
    expect(await cache.list('app-1')).toEqual([]);
    expect(repo.reads).toBe(2);
  });
});
