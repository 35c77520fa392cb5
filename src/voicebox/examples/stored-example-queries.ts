import { Injectable } from '@nestjs/common';
import {
  ExampleQueries,
  type ExampleQuery,
  type ExampleQueryLookup,
} from '../grounding/example-queries.js';
import { ExampleListCache } from './example-list-cache.js';
import {
  prepareQuestion,
  questionSimilarity,
  type PreparedQuestion,
} from './question-similarity.js';

/** Prepared stored questions kept in memory; past this many the cache starts again. */
const CACHE_LIMIT = 20_000;

/**
 * The app's stored examples, most similar first (question-similarity.ts). The list is read through
 * ExampleListCache (a change is seen at once on this replica, within a second on the others); the
 * preparation of each stored question (words, trigrams) is cached, keyed by its id and last change.
 */
@Injectable()
export class StoredExampleQueries extends ExampleQueries {
  private readonly prepared = new Map<string, PreparedQuestion>();

  constructor(private readonly examples: ExampleListCache) {
    super();
  }

  async similar(q: ExampleQueryLookup): Promise<ExampleQuery[]> {
    if (q.limit <= 0) return [];
    const stored = await this.examples.list(q.appId);
    if (stored.length === 0) return [];
    const asked = prepareQuestion(q.question);
    return stored
      .map((e) => ({
        question: e.question,
        sparql: e.sparql,
        score: questionSimilarity(
          asked,
          this.prepare(`${e.id}@${e.updatedAt.getTime()}`, e.question),
        ),
      }))
      .filter((e) => e.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, q.limit);
  }

  private prepare(key: string, question: string): PreparedQuestion {
    let p = this.prepared.get(key);
    if (!p) {
      if (this.prepared.size >= CACHE_LIMIT) this.prepared.clear();
      p = prepareQuestion(question);
      this.prepared.set(key, p);
    }
    return p;
  }
}
