import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Page } from '../../common/http/paged-list.js';
import { AppsService } from '../../apps/apps.service.js';
import { isUuid } from '../../apps/uuid.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { PG_UNIQUE_VIOLATION, violatedConstraint } from '../../database/pg-errors.js';
import type { KgRequestContext } from '../../knowledge-graph/kg-connection.js';
import { ExampleSparqlValidator } from './example-sparql.validator.js';
import type { ExampleInput, ExampleRecord } from './example.types.js';
import { ExampleListCache } from './example-list-cache.js';
import { ExamplesRepository } from './examples.repository.js';

/** Use cases of an app's stored example queries. Every query is validated before it is stored. */
@Injectable()
export class ExamplesService {
  constructor(
    private readonly apps: AppsService,
    private readonly examples: ExamplesRepository,
    private readonly validator: ExampleSparqlValidator,
    private readonly lists: ExampleListCache,
  ) {}

  async create(appId: string, input: ExampleInput, kg?: KgRequestContext): Promise<ExampleRecord> {
    const app = await this.apps.get(appId);
    const sparql = await this.validator.check(app, input.sparql, 'sparql', kg);
    return this.changing(app.id, () =>
      this.unique(input.question, () =>
        this.examples.insert(randomUUID(), app.id, { question: input.question.trim(), sparql }),
      ),
    );
  }

  /**
   * Many at once (an import file): all validated first, then stored in one transaction; an example
   * whose question the app already has (any case) gets the new query.
   */
  async importAll(
    appId: string,
    inputs: ExampleInput[],
    kg?: KgRequestContext,
  ): Promise<ExampleRecord[]> {
    const app = await this.apps.get(appId);
    const queries = await this.validator.checkAll(
      app,
      inputs.map((e, i) => ({
        sparql: e.sparql,
        field: `examples[${i}].sparql`,
        question: e.question,
      })),
      kg,
    );
    return this.changing(app.id, () =>
      this.examples.upsertAll(
        app.id,
        inputs.map((e, i) => ({
          id: randomUUID(),
          question: e.question.trim(),
          sparql: queries[i],
        })),
      ),
    );
  }

  /** Shipped examples (the demo's): stored as they are, without a store round trip at start-up. */
  storeTrusted(appId: string, inputs: ExampleInput[]): Promise<ExampleRecord[]> {
    return this.changing(appId, () =>
      this.examples.upsertAll(
        appId,
        inputs.map((e) => ({ id: randomUUID(), question: e.question.trim(), sparql: e.sparql })),
      ),
    );
  }

  async replace(
    appId: string,
    id: string,
    input: ExampleInput,
    kg?: KgRequestContext,
  ): Promise<ExampleRecord> {
    const app = await this.apps.get(appId);
    await this.get(app.id, id);
    const sparql = await this.validator.check(app, input.sparql, 'sparql', kg);
    const updated = await this.changing(app.id, () =>
      this.unique(input.question, () =>
        this.examples.update(app.id, id, { question: input.question.trim(), sparql }),
      ),
    );
    if (!updated) throw exampleNotFound(id);
    return updated;
  }

  async get(appId: string, id: string): Promise<ExampleRecord> {
    const app = await this.apps.get(appId);
    const found = isUuid(id) ? await this.examples.findById(app.id, id) : null;
    if (!found) throw exampleNotFound(id);
    return found;
  }

  async listPage(appId: string, page: Page): Promise<{ items: ExampleRecord[]; total: number }> {
    const app = await this.apps.get(appId);
    const [items, total] = await Promise.all([
      this.examples.list(app.id, page),
      this.examples.count(app.id),
    ]);
    return { items, total };
  }

  async list(appId: string): Promise<ExampleRecord[]> {
    return this.examples.list((await this.apps.get(appId)).id);
  }

  async delete(appId: string, id: string): Promise<void> {
    const app = await this.apps.get(appId);
    const deleted =
      isUuid(id) && (await this.changing(app.id, () => this.examples.delete(app.id, id)));
    if (!deleted) throw exampleNotFound(id);
  }

  /** A write to the app's examples: the pipeline's cached list of them is dropped after it. */
  private async changing<T>(appId: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } finally {
      this.lists.forget(appId);
    }
  }

  private async unique<T>(question: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (violatedConstraint(err, PG_UNIQUE_VIOLATION) === 'example_queries_app_question_key') {
        throw new DomainError(
          'conflict',
          'example.question_taken',
          `The app already has an example for the question "${question.trim()}"`,
        );
      }
      throw err;
    }
  }
}

export function exampleNotFound(id: string): DomainError {
  return new DomainError('not_found', 'example.not_found', `No example with id ${id} in this app`);
}
