import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const ROOT = join(import.meta.dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli', 'voicebox-admin.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm test` builds first (pretest); a lone run of a CLI suite builds when dist is missing. */
export async function ensureCliBuilt(): Promise<void> {
  if (!existsSync(CLI)) {
    await promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT });
  }
}

/** Runs a program as a user would, from the package root, with only PATH, LOG_LEVEL and `env`. */
export function runProgram(
  command: string,
  args: string[],
  env: Record<string, string>,
  input?: string,
): Promise<CliResult> {
  return new Promise<CliResult>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH, LOG_LEVEL: 'WARNING', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** The built voicebox-admin, run by the Node that runs the tests. */
export function runCli(
  args: string[],
  env: Record<string, string>,
  input?: string,
): Promise<CliResult> {
  return runProgram(process.execPath, [CLI, ...args], env, input);
}
