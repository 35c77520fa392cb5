import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  DomainError,
  RequestValidationError,
  type FieldProblem,
} from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { PG_UNIQUE_VIOLATION, violatedConstraint } from '../database/pg-errors.js';
import { AppsRepository } from './apps.repository.js';
import {
  EMBEDDED_ENDPOINT,
  type ConnectionKind,
  type ConnectionRecord,
  type CredentialKind,
  type ResolvedConnection,
  type ResolvedCredential,
} from './connection.types.js';
import { ConnectionsRepository, type ConnectionWrite } from './connections.repository.js';
import { endpointProblems } from './endpoint-policy.js';
import { SecretBox } from './secret-box.js';
import { isUuid } from './uuid.js';
import type { Page } from '../common/http/paged-list.js';

export interface CredentialInput {
  kind: CredentialKind;
  username?: string;
  password?: string;
  token?: string;
}

export interface ConnectionInput {
  name: string;
  kind: ConnectionKind;
  endpoint?: string | null;
  internalEndpoint?: string | null;
  credential: CredentialInput;
}

/** PATCH: absent fields stay; `credential`, when given, replaces the stored one whole. */
export type ConnectionPatch = Partial<ConnectionInput>;

/** Use cases of knowledge-graph connections; secrets are sealed here and opened only in resolve. */
@Injectable()
export class ConnectionsService {
  constructor(
    private readonly connections: ConnectionsRepository,
    private readonly apps: AppsRepository,
    private readonly secrets: SecretBox,
    private readonly config: AppConfig,
  ) {}

  async create(input: ConnectionInput): Promise<ConnectionRecord> {
    const id = randomUUID();
    const row = this.build(id, input, null);
    return this.uniqueName(() => this.connections.insert(row), input.name);
  }

  list(): Promise<ConnectionRecord[]> {
    return this.connections.list();
  }

  async listPage(page: Page): Promise<{ items: ConnectionRecord[]; total: number }> {
    const [items, total] = await Promise.all([
      this.connections.list(page),
      this.connections.count(),
    ]);
    return { items, total };
  }

  async get(id: string): Promise<ConnectionRecord> {
    const found = isUuid(id) ? await this.connections.findById(id) : null;
    if (!found) throw notFound(id);
    return found;
  }

  /** By id, or by name (the CLI lets people type names). */
  async find(idOrName: string): Promise<ConnectionRecord> {
    const found = isUuid(idOrName)
      ? await this.connections.findById(idOrName)
      : await this.connections.findByName(idOrName);
    if (!found) throw notFound(idOrName);
    return found;
  }

  async update(id: string, patch: ConnectionPatch): Promise<ConnectionRecord> {
    const current = await this.get(id);
    const merged: ConnectionInput = {
      name: patch.name ?? current.name,
      kind: patch.kind ?? current.kind,
      endpoint: patch.endpoint !== undefined ? patch.endpoint : current.endpoint,
      internalEndpoint:
        patch.internalEndpoint !== undefined ? patch.internalEndpoint : current.internalEndpoint,
      credential: patch.credential ?? { kind: current.credentialKind },
    };
    const row = this.build(id, merged, patch.credential ? null : current);
    const updated = await this.uniqueName(() => this.connections.update(row), merged.name);
    if (!updated) throw notFound(id);
    return updated;
  }

  async delete(id: string): Promise<void> {
    if (!isUuid(id)) throw notFound(id);
    const { deleted, usedBy } = await this.connections.deleteUnlessUsed(id);
    if (usedBy.length > 0) {
      throw new DomainError(
        'conflict',
        'connection.in_use',
        `Connection ${id} is used by app(s) ${usedBy.join(', ')}: change or delete them first`,
        { details: { apps: usedBy } },
      );
    }
    if (!deleted) throw notFound(id);
  }

  /**
   * The connection of an app with its secret decrypted, for the knowledge-graph layer; null when
   * the app has no connection. Kept in memory only: never log or return it.
   */
  async resolveForApp(appId: string): Promise<ResolvedConnection | null> {
    const app = isUuid(appId) ? await this.apps.findById(appId) : null;
    if (!app) {
      throw new DomainError('not_found', 'app.not_found', `No app with id ${appId}`);
    }
    return this.resolve(app.connectionId);
  }

  /**
   * The connection an app names, credentials opened; null for the embedded store. The pipeline
   * passes the app as the request's identity carries it (the verified-key cache keeps it at most
   * 500 ms, the time it honours a revoked key) rather than reading the app again on every turn.
   */
  async resolve(connectionId: string | null): Promise<ResolvedConnection | null> {
    if (!connectionId) return null;
    const c = await this.connections.findById(connectionId);
    if (!c) return null;
    return {
      id: c.id,
      kind: c.kind,
      endpoint: c.endpoint,
      internalEndpoint: c.internalEndpoint,
      credential: this.openCredential(c),
    };
  }

  private openCredential(c: ConnectionRecord): ResolvedCredential {
    switch (c.credentialKind) {
      case 'basic':
        return {
          kind: 'basic',
          username: c.username ?? '',
          password: this.secrets.open(c.secretEncrypted ?? '', c.id),
        };
      case 'bearer':
        return { kind: 'bearer', token: this.secrets.open(c.secretEncrypted ?? '', c.id) };
      case 'sso':
        return { kind: 'sso' };
      case 'none':
        return { kind: 'none' };
    }
  }

  /** Validates the whole connection and seals its secret; `keep` carries over an unchanged credential. */
  private build(id: string, c: ConnectionInput, keep: ConnectionRecord | null): ConnectionWrite {
    const problems: FieldProblem[] = [];
    const endpoint = c.endpoint ?? null;
    const internalEndpoint = c.internalEndpoint ?? null;
    if (c.kind === 'embedded') {
      if (endpoint !== null && endpoint !== EMBEDDED_ENDPOINT)
        problems.push({
          field: 'endpoint',
          reason: `must be "${EMBEDDED_ENDPOINT}" or absent for an embedded connection`,
        });
      if (internalEndpoint !== null)
        problems.push({
          field: 'internal_endpoint',
          reason: 'must be absent for an embedded connection',
        });
    } else {
      const policy = { allowLinkLocal: this.config.knowledgeGraph.allowLinkLocalEndpoints };
      if (endpoint === null)
        problems.push({ field: 'endpoint', reason: `is required for a ${c.kind} connection` });
      else problems.push(...endpointProblems('endpoint', endpoint, policy));
      if (internalEndpoint !== null)
        problems.push(...endpointProblems('internal_endpoint', internalEndpoint, policy));
    }
    const cred = c.credential;
    let username: string | null = null;
    let secret: string | null = null;
    if (!keep) {
      const forbid = (field: keyof CredentialInput) => {
        if (cred[field] !== undefined)
          problems.push({
            field: `credential.${field}`,
            reason: `is not used by a ${cred.kind} credential`,
          });
      };
      const need = (field: keyof CredentialInput) => {
        if (!cred[field])
          problems.push({
            field: `credential.${field}`,
            reason: `is required for a ${cred.kind} credential`,
          });
      };
      switch (cred.kind) {
        case 'basic':
          need('username');
          need('password');
          forbid('token');
          username = cred.username ?? null;
          secret = cred.password ?? null;
          break;
        case 'bearer':
          need('token');
          forbid('username');
          forbid('password');
          secret = cred.token ?? null;
          break;
        case 'sso':
        case 'none':
          forbid('username');
          forbid('password');
          forbid('token');
          break;
      }
    }
    if (problems.length > 0) throw new RequestValidationError(problems);
    return {
      id,
      name: c.name,
      kind: c.kind,
      endpoint: c.kind === 'embedded' ? (endpoint ?? EMBEDDED_ENDPOINT) : endpoint,
      internalEndpoint,
      credentialKind: keep ? keep.credentialKind : cred.kind,
      username: keep ? keep.username : username,
      secretEncrypted: keep
        ? keep.secretEncrypted
        : secret === null
          ? null
          : this.secrets.seal(secret, id),
    };
  }

  private async uniqueName<T>(write: () => Promise<T>, name: string): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (violatedConstraint(err, PG_UNIQUE_VIOLATION) === 'connections_name_key') {
        throw new DomainError(
          'conflict',
          'connection.name_taken',
          `A connection named "${name}" already exists`,
        );
      }
      throw err;
    }
  }
}

function notFound(id: string): DomainError {
  return new DomainError('not_found', 'connection.not_found', `No connection with id ${id}`);
}
