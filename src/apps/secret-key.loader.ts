import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/app-config.js';
import { SecretBox } from './secret-box.js';

/**
 * The key for stored secrets: VOICEBOX_SECRET_KEY when set. With the embedded database and no key,
 * one is generated once into `<data dir>/secret.key` (0600), beside the data it protects, so a first
 * start needs no set-up. With an external DATABASE_URL we never invent one: replicas would disagree.
 */
export async function loadSecretBox(config: AppConfig, logger: Logger): Promise<SecretBox> {
  if (config.database.secretKey) return new SecretBox(config.database.secretKey);
  if (config.database.url) {
    return new SecretBox(null, 'VOICEBOX_SECRET_KEY is required with an external DATABASE_URL');
  }
  const file = join(config.server.dataDir, 'secret.key');
  try {
    return new SecretBox(parseKeyFile(await readFile(file, 'utf8'), file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(config.server.dataDir, { recursive: true });
  const key = randomBytes(32);
  try {
    await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600); // the umask may have narrowed the mode, never widened it; be exact
    logger.warn(
      { file },
      'VOICEBOX_SECRET_KEY is not set: generated a key for stored connection secrets (keep this file with the data)',
    );
    return new SecretBox(key);
  } catch (err) {
    // Another process (the CLI beside the service) wrote it first: use theirs.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return new SecretBox(parseKeyFile(await readFile(file, 'utf8'), file));
  }
}

function parseKeyFile(text: string, file: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
  return key;
}
