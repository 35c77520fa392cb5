import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainError, RequestValidationError } from '../common/errors/domain-error.js';
import {
  PG_FOREIGN_KEY_VIOLATION,
  PG_UNIQUE_VIOLATION,
  violatedConstraint,
} from '../database/pg-errors.js';
import type { AppRecord, AppWrite } from './app.types.js';
import { AppsRepository } from './apps.repository.js';
import { isUuid } from './uuid.js';
import { VerifiedKeyCache } from './verified-key-cache.js';
import type { Page } from '../common/http/paged-list.js';

export interface AppInput {
  name: string;
  connectionId?: string | null;
  database: string;
  model?: string | null;
  namedGraphs?: string[];
  reasoning?: boolean;
}

export type AppPatch = Partial<AppInput>;

/** Use cases of Voicebox apps. */
@Injectable()
export class AppsService {
  constructor(
    private readonly apps: AppsRepository,
    private readonly verifiedKeys: VerifiedKeyCache,
  ) {}

  create(input: AppInput): Promise<AppRecord> {
    return this.write(
      () =>
        this.apps.insert({
          id: randomUUID(),
          name: input.name,
          connectionId: input.connectionId ?? null,
          database: input.database,
          model: input.model ?? null,
          namedGraphs: input.namedGraphs ?? [],
          reasoning: input.reasoning ?? false,
        }),
      input,
    );
  }

  list(): Promise<AppRecord[]> {
    return this.apps.list();
  }

  async listPage(page: Page): Promise<{ items: AppRecord[]; total: number }> {
    const [items, total] = await Promise.all([this.apps.list(page), this.apps.count()]);
    return { items, total };
  }

  async get(id: string): Promise<AppRecord> {
    const found = isUuid(id) ? await this.apps.findById(id) : null;
    if (!found) throw appNotFound(id);
    return found;
  }

  /** By id, or by name (the CLI lets people type names). */
  async find(idOrName: string): Promise<AppRecord> {
    const found = isUuid(idOrName)
      ? await this.apps.findById(idOrName)
      : await this.apps.findByName(idOrName);
    if (!found) throw appNotFound(idOrName);
    return found;
  }

  async update(id: string, patch: AppPatch): Promise<AppRecord> {
    const current = await this.get(id);
    const next: AppWrite = {
      id,
      name: patch.name ?? current.name,
      connectionId: patch.connectionId !== undefined ? patch.connectionId : current.connectionId,
      database: patch.database ?? current.database,
      model: patch.model !== undefined ? patch.model : current.model,
      namedGraphs: patch.namedGraphs ?? current.namedGraphs,
      reasoning: patch.reasoning ?? current.reasoning,
    };
    const updated = await this.write(() => this.apps.update(next), next);
    if (!updated) throw appNotFound(id);
    this.verifiedKeys.evictApp(id);
    return updated;
  }

  async delete(id: string): Promise<void> {
    const deleted = isUuid(id) ? await this.apps.delete(id) : false;
    if (!deleted) throw appNotFound(id);
    this.verifiedKeys.evictApp(id);
  }

  private async write<T>(
    work: () => Promise<T>,
    input: { name?: string; connectionId?: string | null },
  ): Promise<T> {
    if (input.connectionId && !isUuid(input.connectionId)) throw noSuchConnection();
    try {
      return await work();
    } catch (err) {
      if (violatedConstraint(err, PG_UNIQUE_VIOLATION) === 'apps_name_key') {
        throw new DomainError(
          'conflict',
          'app.name_taken',
          `An app named "${input.name}" already exists`,
        );
      }
      if (violatedConstraint(err, PG_FOREIGN_KEY_VIOLATION) !== null) throw noSuchConnection();
      throw err;
    }
  }
}

export function appNotFound(id: string): DomainError {
  return new DomainError('not_found', 'app.not_found', `No app with id ${id}`);
}

function noSuchConnection(): RequestValidationError {
  return new RequestValidationError([
    { field: 'connection_id', reason: 'does not name an existing connection' },
  ]);
}
