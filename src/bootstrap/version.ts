import { readFileSync } from 'node:fs';

// Read once from package.json beside dist/ or src/, so the version is never typed twice.
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
export const SERVICE_VERSION = pkg.version;
