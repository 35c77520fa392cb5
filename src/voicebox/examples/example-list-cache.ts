import { Injectable } from '@nestjs/common';
import type { ExampleRecord } from './example.types.js';
import { ExamplesRepository } from './examples.repository.js';

/**
 * How long an app's example list read for one ask serves the next. A change made through this
 * process is seen at once (ExamplesService forgets the app's list); one made through another
 * replica or the CLI within this time. Measured: reading the list on every ask cost one PostgreSQL
 * round trip per ask (~0.2 ms of the event loop, bench:overhead).
 */
export const EXAMPLE_LIST_TTL_MS = 1_000;
/** Apps whose lists are kept; past this the oldest is dropped. */
const MAX_APPS = 10_000;

/**
 * Each app's stored examples as the ask pipeline reads them: one shared read per app at a time,
 * kept for `EXAMPLE_LIST_TTL_MS`. A failed read is not kept.
 */
@Injectable()
export class ExampleListCache {
  private readonly lists = new Map<string, { until: number; list: Promise<ExampleRecord[]> }>();

  constructor(private readonly examples: ExamplesRepository) {}

  list(appId: string): Promise<ExampleRecord[]> {
    const now = performance.now();
    const kept = this.lists.get(appId);
    if (kept && kept.until > now) return kept.list;
    const entry = { until: now + EXAMPLE_LIST_TTL_MS, list: this.examples.list(appId) };
    this.lists.delete(appId);
    this.lists.set(appId, entry);
    if (this.lists.size > MAX_APPS) this.lists.delete(this.lists.keys().next().value as string);
    entry.list.catch(() => {
      if (this.lists.get(appId) === entry) this.lists.delete(appId);
    });
    return entry.list;
  }

  /** After a change to the app's examples: the next ask reads them again. */
  forget(appId: string): void {
    this.lists.delete(appId);
  }
}
