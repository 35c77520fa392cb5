import type { TestProject } from 'vitest/node';
import { startTestPostgres } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the one PostgreSQL the whole e2e run shares (each app takes a fresh database on it). */
    voiceboxPostgresUrl: string;
  }
}

/**
 * Vitest globalSetup: one embedded PostgreSQL for the whole run, so that every suite starting the
 * service (which now needs a database) gets a fresh database in milliseconds instead of a server.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startTestPostgres();
  project.provide('voiceboxPostgresUrl', server.url);
  return () => server.stop();
}
