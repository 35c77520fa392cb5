import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../service-process.js';

const run = promisify(execFile);
const TEMPLATE_INI = '/etc/virtuoso-opensource-7/virtuoso.ini';

export interface VirtuosoInstance {
  /** SPARQL 1.1 query endpoint. */
  sparqlUrl: string;
  sqlPort: number;
  pid: number;
  dir: string;
  stop(): Promise<void>;
}

/** Throws a message that tells the developer what to install when Virtuoso is missing. */
export async function requireVirtuoso(): Promise<void> {
  try {
    await run('sh', ['-c', 'command -v virtuoso-t && command -v isql-vt']);
  } catch {
    throw new Error(
      'virtuoso-t / isql-vt not found on PATH: run `scripts/install-test-deps.sh` (as root) to install virtuoso-opensource',
    );
  }
}

/**
 * A Virtuoso of the test's own: a scratch folder, free ports, the Debian package's ini with every
 * path pointed into the folder. Stopped by its pid.
 */
export async function startVirtuoso(): Promise<VirtuosoInstance> {
  await requireVirtuoso();
  const dir = await mkdtemp(join(tmpdir(), 'vbx-virtuoso-'));
  const [sqlPort, httpPort] = [await freePort(), await freePort()];
  const ini = rewriteIni(await readFile(TEMPLATE_INI, 'utf8'), dir, sqlPort, httpPort);
  const iniPath = join(dir, 'virtuoso.ini');
  await writeFile(iniPath, ini);
  // +wait: the command returns once the server accepts connections (it forks into the background).
  await run('virtuoso-t', ['+configfile', iniPath, '+wait'], { cwd: dir, timeout: 60_000 });
  const lock = await readFile(join(dir, 'virtuoso.lck'), 'utf8');
  const pid = Number(/VIRT_PID=(\d+)/.exec(lock)?.[1]);
  if (!Number.isInteger(pid))
    throw new Error(`cannot read Virtuoso's pid from ${dir}/virtuoso.lck`);
  return {
    sparqlUrl: `http://127.0.0.1:${httpPort}/sparql`,
    sqlPort,
    pid,
    dir,
    async stop() {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
      for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
      if (alive(pid)) process.kill(pid, 'SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Bulk-loads every `pattern` file of `dataDir` into `graph`. */
export async function loadIntoVirtuoso(
  v: VirtuosoInstance,
  dataDir: string,
  pattern: string,
  graph: string,
): Promise<void> {
  const sql = `ld_dir('${dataDir}', '${pattern}', '${graph}'); rdf_loader_run(); checkpoint;`;
  const { stdout } = await run('isql-vt', [String(v.sqlPort), 'dba', 'dba', `exec=${sql}`], {
    timeout: 60_000,
  });
  if (/\*\*\* Error/.test(stdout)) throw new Error(`Virtuoso load failed: ${stdout}`);
}

function rewriteIni(template: string, dir: string, sqlPort: number, httpPort: number): string {
  let section = '';
  const db = (name: string) => join(dir, name);
  const values: Record<string, Record<string, string>> = {
    Database: {
      DatabaseFile: db('virtuoso.db'),
      ErrorLogFile: db('virtuoso.log'),
      LockFile: db('virtuoso.lck'),
      TransactionFile: db('virtuoso.trx'),
      xa_persistent_file: db('virtuoso.pxa'),
    },
    TempDatabase: {
      DatabaseFile: db('virtuoso-temp.db'),
      TransactionFile: db('virtuoso-temp.trx'),
    },
    Parameters: { ServerPort: String(sqlPort), DirsAllowed: `., /, ${dir}` },
    HTTPServer: { ServerPort: `127.0.0.1:${httpPort}` },
  };
  return template
    .split('\n')
    .map((line) => {
      const header = /^\[(.+)\]/.exec(line);
      if (header) section = header[1];
      const kv = /^(\w+)\s*=/.exec(line);
      const value = kv && values[section]?.[kv[1]];
      return value ? `${kv[1]} = ${value}` : line;
    })
    .join('\n');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
