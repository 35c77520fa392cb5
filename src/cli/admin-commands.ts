import { AppKeysService } from '../apps/app-keys.service.js';
import { AppsService } from '../apps/apps.service.js';
import { ConnectionsService } from '../apps/connections.service.js';
import { CreateAppDto, appInput, toAppDto } from '../apps/dto/app.dto.js';
import { CreateAppKeyDto, toAppKeyDto } from '../apps/dto/app-key.dto.js';
import {
  CreateConnectionDto,
  connectionInput,
  toConnectionDto,
} from '../apps/dto/connection.dto.js';
import { readFile } from 'node:fs/promises';
import { createValidationPipe } from '../bootstrap/validation.pipe.js';
import { DomainError, RequestValidationError } from '../common/errors/domain-error.js';
import { CreateExampleDto, toExampleDto } from '../voicebox/examples/dto/example.dto.js';
import { readExampleFile } from '../voicebox/examples/example-file.js';
import { ExamplesService } from '../voicebox/examples/examples.service.js';

/** The services a command uses: the same ones the admin API calls. */
export interface AdminServices {
  connections: ConnectionsService;
  apps: AppsService;
  keys: AppKeysService;
  examples: ExamplesService;
}

export type Flags = Record<string, string | boolean | string[] | undefined>;

export interface CommandContext {
  services: AdminServices;
  flags: Flags;
  /** Reads a secret from standard input (never from the command line, where `ps` would show it). */
  readStdin: () => Promise<string>;
}

export interface Command {
  summary: string;
  usage: string;
  /** Returns what to print on stdout (JSON unless a string). */
  run(ctx: CommandContext): Promise<unknown>;
}

const str = (flags: Flags, name: string): string | undefined => {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
};

const pipe = createValidationPipe();

/** The HTTP API's own validation pipe, so the CLI accepts exactly what the API accepts. */
async function validated<T extends object>(cls: new () => T, plain: object): Promise<T> {
  return (await pipe.transform(plain, { type: 'body', metatype: cls })) as T;
}

/** The query of `add-example`: `--sparql` itself, or the file `--sparql-file` names. */
async function sparqlOf(flags: Flags): Promise<string | undefined> {
  const inline = str(flags, 'sparql');
  const path = str(flags, 'sparql-file');
  if (inline !== undefined && path !== undefined) {
    throw new RequestValidationError([
      { field: 'sparql-file', reason: 'cannot be given with --sparql (give one of them)' },
    ]);
  }
  if (path === undefined) return inline;
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new RequestValidationError([
      { field: 'sparql-file', reason: `cannot be read: ${(err as Error).message}` },
    ]);
  }
}

export const COMMANDS: Record<string, Command> = {
  'create-connection': {
    summary: 'Create a knowledge-graph connection',
    usage:
      '--name NAME --kind stardog|sparql|embedded [--endpoint URL] [--internal-endpoint URL] ' +
      '[--credential basic|bearer|sso|none] [--username USER] [--secret-stdin]  ' +
      '(the password or token is read from standard input)',
    async run({ services, flags, readStdin }) {
      const credentialKind = str(flags, 'credential') ?? 'none';
      const secret = flags['secret-stdin'] ? (await readStdin()).replace(/\r?\n$/, '') : undefined;
      const dto = await validated(CreateConnectionDto, {
        name: str(flags, 'name'),
        kind: str(flags, 'kind'),
        endpoint: str(flags, 'endpoint'),
        internal_endpoint: str(flags, 'internal-endpoint'),
        credential: {
          kind: credentialKind,
          username: str(flags, 'username'),
          password: credentialKind === 'basic' ? secret : undefined,
          token: credentialKind === 'bearer' ? secret : undefined,
        },
      });
      return toConnectionDto(await services.connections.create(connectionInput(dto)));
    },
  },
  'create-app': {
    summary: 'Create a Voicebox app',
    usage:
      '--name NAME --database DB [--connection ID|NAME] [--model MODEL] ' +
      '[--named-graph IRI]... [--reasoning]',
    async run({ services, flags }) {
      const connection = str(flags, 'connection');
      const connectionId = connection
        ? (await services.connections.find(connection)).id
        : undefined;
      const dto = await validated(CreateAppDto, {
        name: str(flags, 'name'),
        database: str(flags, 'database'),
        connection_id: connectionId,
        model: str(flags, 'model'),
        named_graphs: flags['named-graph'] ?? [],
        reasoning: flags.reasoning === true,
      });
      return toAppDto(await services.apps.create(appInput(dto)));
    },
  },
  'list-apps': {
    summary: 'List the Voicebox apps',
    usage: '',
    async run({ services }) {
      return (await services.apps.list()).map(toAppDto);
    },
  },
  'create-key': {
    summary: 'Issue an app key (printed once); refused when the app has a usable key of that name',
    usage: '--app ID|NAME --name NAME [--expires-at ISO-8601] [--key-only]',
    async run({ services, flags }) {
      const app = await services.apps.find(str(flags, 'app') ?? '');
      const dto = await validated(CreateAppKeyDto, {
        name: str(flags, 'name'),
        expires_at: str(flags, 'expires-at'),
      });
      // Run twice, the start-up hint would leave two keys nobody can tell apart in list-keys. Names
      // are labels (the admin API allows repeats); here, where people type them, a repeat is refused.
      const now = Date.now();
      const same = (await services.keys.list(app.id)).find(
        (k) => k.name === dto.name && !k.revokedAt && (!k.expiresAt || k.expiresAt.getTime() > now),
      );
      if (same) {
        throw new DomainError(
          'conflict',
          'app_key.name_taken',
          `app "${app.name}" already has a key named "${dto.name}" (id ${same.id}, prefix ${same.prefix}, ` +
            `created ${same.createdAt.toISOString()}); choose another --name, or revoke that key first ` +
            `(revoke-key --app ${app.name} --key ${same.id})`,
        );
      }
      const issued = await services.keys.issue(
        app.id,
        dto.name,
        dto.expires_at ? new Date(dto.expires_at) : null,
      );
      if (flags['key-only']) return issued.raw;
      return { ...toAppKeyDto(issued.key), app_id: app.id, key: issued.raw };
    },
  },
  'list-keys': {
    summary: "List an app's keys (never the keys themselves)",
    usage: '--app ID|NAME',
    async run({ services, flags }) {
      const app = await services.apps.find(str(flags, 'app') ?? '');
      return (await services.keys.list(app.id)).map(toAppKeyDto);
    },
  },
  'revoke-key': {
    summary: 'Revoke an app key',
    usage: '--app ID|NAME --key KEY_ID',
    async run({ services, flags }) {
      const app = await services.apps.find(str(flags, 'app') ?? '');
      const keyId = str(flags, 'key') ?? '';
      await services.keys.revoke(app.id, keyId);
      return { revoked: keyId, app_id: app.id };
    },
  },
  // The examples commands call the admin API's ExamplesService: the same check against the app's
  // graph on save (syntax, read-only gate, vocabulary, instance IRIs), the same storage.
  'add-example': {
    summary: "Store an example question with its SPARQL, validated against the app's graph",
    usage: '--app ID|NAME --question TEXT (--sparql QUERY | --sparql-file PATH)',
    async run({ services, flags }) {
      const app = await services.apps.find(str(flags, 'app') ?? '');
      const dto = await validated(CreateExampleDto, {
        question: str(flags, 'question'),
        sparql: await sparqlOf(flags),
      });
      return toExampleDto(await services.examples.create(app.id, dto));
    },
  },
  'list-examples': {
    summary: "List an app's stored examples (oldest first)",
    usage: '--app ID|NAME',
    async run({ services, flags }) {
      const app = await services.apps.find(str(flags, 'app') ?? '');
      return (await services.examples.list(app.id)).map(toExampleDto);
    },
  },
  'import-examples': {
    summary:
      'Store every example of a YAML or JSON file (questions-dev.yml format), each validated; ' +
      'all or none, a question already stored gets the new query',
    usage: '--app ID|NAME --file PATH',
    async run({ services, flags }) {
      const app = await services.apps.find(str(flags, 'app') ?? '');
      const path = str(flags, 'file');
      if (!path) throw new RequestValidationError([{ field: 'file', reason: 'is required' }]);
      const inputs = await readExampleFile(path);
      const stored = await services.examples.importAll(app.id, inputs);
      return { app_id: app.id, imported: stored.length, examples: stored.map(toExampleDto) };
    },
  },
};
