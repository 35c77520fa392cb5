/* global process, console */
// `npm start` runs this first: it compiles only when a source is newer than the last build.
// tsc --incremental alone still spends tens of seconds proving that nothing changed; comparing
// modification times answers in milliseconds. A directory's own time changes when a file in it is
// added, renamed or removed, so those count as changes too.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const buildInfo = join(root, 'dist', '.tsbuildinfo');
const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function newestMtime(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return path.endsWith('.spec.ts') ? 0 : stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

const built = statSync(buildInfo, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const changed = Math.max(...inputs.map((p) => newestMtime(join(root, p))));
if (built > changed) {
  console.log('dist/ is up to date with src/: not rebuilding');
} else {
  const started = Date.now();
  const tsc = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  // An incremental build that found nothing to emit leaves the build info untouched, so stamp it
  // with the moment the build began: the next start skips tsc, yet a source edited while tsc ran
  // is newer and is compiled then.
  const at = new Date(started);
  utimesSync(buildInfo, at, at);
}
