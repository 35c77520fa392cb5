import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppsService } from '../apps/apps.service.js';
import { ConnectionsService } from '../apps/connections.service.js';
import { DomainError } from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { DEMO_DATABASE } from '../knowledge-graph/demo-target.js';
import { CK25_DIR } from '../knowledge-graph/embedded/embedded-sources.js';
import { InjectLogger } from '../observability/root-logger.js';
import { readExampleFile } from '../voicebox/examples/example-file.js';
import { ExamplesService } from '../voicebox/examples/examples.service.js';

export const DEMO_APP_NAME = 'ck25-demo';
export const DEMO_CONNECTION_NAME = 'embedded';
/** The CK25 dev questions with their gold queries (CC BY 4.0, eccenca GmbH; data/ck25/README.md). */
export const DEMO_EXAMPLES_FILE = `${CK25_DIR}questions-dev.yml`;

/**
 * First start: a database with no app at all gets the CK25 demo app over the embedded store, so
 * `npm start` gives something to ask at once. Its stored examples are the CK25 dev questions, so
 * those are answered even before a language model is configured. It never touches a database that already holds an
 * app, so an operator's deletions stay deleted. A production deployment that wants no demo sets
 * VOICEBOX_EMBEDDED_DEMO=false (which also leaves CK25 out of the embedded store).
 */
@Injectable()
export class DemoAppSeeder implements OnApplicationBootstrap {
  constructor(
    private readonly config: AppConfig,
    private readonly apps: AppsService,
    private readonly connections: ConnectionsService,
    private readonly examples: ExamplesService,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.knowledgeGraph.embedded.demo) return;
    try {
      if ((await this.apps.list()).length > 0) return;
      const connection = await this.connections.create({
        name: DEMO_CONNECTION_NAME,
        kind: 'embedded',
        credential: { kind: 'none' },
      });
      const app = await this.apps.create({
        name: DEMO_APP_NAME,
        connectionId: connection.id,
        database: DEMO_DATABASE,
      });
      // Shipped gold queries: stored without the save-time check (a test runs them all).
      const stored = await this.examples.storeTrusted(
        app.id,
        await readExampleFile(DEMO_EXAMPLES_FILE),
      );
      this.logger.info(
        { app_id: app.id, examples: stored.length },
        `created the demo app "${DEMO_APP_NAME}" over the embedded CK25 graph; make a key with: ${adminCliCommand()} create-key --app ${DEMO_APP_NAME} --name demo`,
      );
    } catch (err) {
      // Another replica seeded it first (unique names): nothing to do.
      if (err instanceof DomainError && err.kind === 'conflict') return;
      this.logger.warn({ err }, 'could not create the demo app; the service runs without it');
    }
  }
}

/**
 * The built CLI as it runs from the service's working directory, in a checkout and in the container
 * image alike. Not `npx voicebox-admin`: npx links a package's own bin into its cache and makes it
 * executable, which fails (EPERM) in the image, where the files belong to root and the service runs
 * as `node`.
 */
export function adminCliCommand(): string {
  const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
  const cli = relative(process.cwd(), join(packageRoot, 'dist', 'cli', 'voicebox-admin.js'));
  return `node ${/\s/.test(cli) ? JSON.stringify(cli) : cli}`;
}
