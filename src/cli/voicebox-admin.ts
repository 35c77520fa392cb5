#!/usr/bin/env node
import 'reflect-metadata';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { AppKeysService } from '../apps/app-keys.service.js';
import { AppsModule } from '../apps/apps.module.js';
import { AppsService } from '../apps/apps.service.js';
import { ConnectionsService } from '../apps/connections.service.js';
import { DomainError } from '../common/errors/domain-error.js';
import type { AppConfig } from '../config/app-config.js';
import { AppConfigModule } from '../config/app-config.module.js';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { createRootLogger } from '../observability/logger.factory.js';
import { MetricsRegistry } from '../observability/metrics.registry.js';
import { NestPinoLogger } from '../observability/nest-logger.js';
import { ObservabilityModule } from '../observability/observability.module.js';
import { ExamplesModule } from '../voicebox/examples/examples.module.js';
import { ExamplesService } from '../voicebox/examples/examples.service.js';
import { COMMANDS } from './admin-commands.js';

/**
 * voicebox-admin: first set-up without any token. Runs the same services as the admin API against
 * the configured database (DATABASE_URL, or the embedded one under VOICEBOX_DATA_DIR, attaching to
 * it when the service is running). Results go to stdout as JSON, logs to stderr.
 * Exit codes: 0 done, 1 refused or failed, 2 usage, 78 configuration error.
 */
const EX_USAGE = 2;
const EX_CONFIG = 78;

const OPTIONS = {
  name: { type: 'string' },
  kind: { type: 'string' },
  endpoint: { type: 'string' },
  'internal-endpoint': { type: 'string' },
  credential: { type: 'string' },
  username: { type: 'string' },
  'secret-stdin': { type: 'boolean' },
  database: { type: 'string' },
  connection: { type: 'string' },
  model: { type: 'string' },
  'named-graph': { type: 'string', multiple: true },
  reasoning: { type: 'boolean' },
  app: { type: 'string' },
  key: { type: 'string' },
  'expires-at': { type: 'string' },
  'key-only': { type: 'boolean' },
  question: { type: 'string' },
  sparql: { type: 'string' },
  'sparql-file': { type: 'string' },
  file: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

@Module({})
class AdminCliModule {
  static forRoot(config: AppConfig, logger: ReturnType<typeof createRootLogger>): DynamicModule {
    return {
      module: AdminCliModule,
      imports: [
        AppConfigModule.forRoot(config),
        ObservabilityModule.forRoot(logger, new MetricsRegistry()),
        AppsModule,
        ExamplesModule,
      ],
    };
  }
}

function usage(): string {
  const lines = ['Usage: voicebox-admin <command> [options]', '', 'Commands:'];
  for (const [name, c] of Object.entries(COMMANDS))
    lines.push(`  ${[name, c.usage].filter(Boolean).join('  ')}`, `      ${c.summary}`);
  lines.push(
    '',
    'Configuration comes from the same environment as the service (DATABASE_URL, VOICEBOX_DATA_DIR, VOICEBOX_SECRET_KEY).',
  );
  return lines.join('\n');
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage()}\n`);
    return EX_USAGE;
  }
  const [name, ...extra] = parsed.positionals;
  const command = name ? COMMANDS[name] : undefined;
  if (parsed.values.help) {
    // Asked for: the answer, on stdout (so that `voicebox-admin --help | less` works).
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  if (!command || extra.length > 0) {
    process.stderr.write(`${name && !command ? `Unknown command "${name}"\n\n` : ''}${usage()}\n`);
    return EX_USAGE;
  }

  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(err.toLines());
    return EX_CONFIG;
  }
  const logger = createRootLogger({
    ...config.logging,
    secretValues: config.secretValues,
    destination: process.stderr,
  });
  const context = await NestFactory.createApplicationContext(
    AdminCliModule.forRoot(config, logger),
    {
      logger: new NestPinoLogger(logger),
    },
  );
  try {
    const output = await command.run({
      services: {
        connections: context.get(ConnectionsService),
        apps: context.get(AppsService),
        keys: context.get(AppKeysService),
        examples: context.get(ExamplesService),
      },
      flags: parsed.values,
      readStdin,
    });
    process.stdout.write(
      typeof output === 'string' ? `${output}\n` : `${JSON.stringify(output, null, 2)}\n`,
    );
    return 0;
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    const fields =
      (err.details?.errors as Array<{ field: string; reason: string }> | undefined) ?? [];
    process.stderr.write(`error (${err.code}): ${err.message}\n`);
    // A field that is an option is named as one; a place in an import file (`examples[3].sparql`)
    // as it is.
    for (const f of fields) {
      const name = /^[a-z][a-z_-]*$/.test(f.field) ? `--${f.field.replace(/_/g, '-')}` : f.field;
      process.stderr.write(`  ${name}: ${f.reason}\n`);
    }
    return 1;
  } finally {
    await context.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `voicebox-admin failed: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
