import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Database } from '../../src/database/database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** The bootstrap admin token (VOICEBOX_ADMIN_TOKEN), enforced by the real AuthGuard. */
export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };

export function startAppsTestApp(env: Record<string, string>): Promise<TestApp> {
  // No demo app: these suites count the apps and connections they make.
  return startTestApp({
    VOICEBOX_ADMIN_TOKEN: ADMIN_TOKEN,
    VOICEBOX_EMBEDDED_DEMO: 'false',
    ...env,
  });
}

export function dbOf(t: TestApp): Database {
  return t.app.get(Database);
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface ErrorBody {
  status: number;
  code: string;
  message: string;
  errors?: Array<{ field: string; reason: string }>;
  apps?: string[];
}

export interface ConnectionBody {
  id: string;
  name: string;
  kind: string;
  endpoint: string | null;
  internal_endpoint: string | null;
  credential: { kind: string; username?: string; has_secret: boolean };
  created_at: string;
  updated_at: string;
}

export interface AppBody {
  id: string;
  name: string;
  connection_id: string | null;
  database: string;
  model: string | null;
  named_graphs: string[];
  reasoning: boolean;
  created_at: string;
  updated_at: string;
}

export interface KeyBody {
  id: string;
  name: string;
  prefix: string;
  key?: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** The fields a 400 names, each once, sorted. */
export function fieldsOf(body: ErrorBody): string[] {
  return [...new Set((body.errors ?? []).map((e) => e.field))].sort();
}

/** An admin call; returns status and parsed JSON body (undefined when empty). */
export async function admin<T = ErrorBody>(
  app: NestFastifyApplication,
  method: Method,
  url: string,
  payload?: object,
): Promise<{ status: number; body: T; raw: string }> {
  const res = await app.inject({ method, url, headers: ADMIN, payload });
  return {
    status: res.statusCode,
    body: (res.body ? JSON.parse(res.body) : undefined) as T,
    raw: res.body,
  };
}

export async function getAppSettings(app: NestFastifyApplication, key: string) {
  const res = await app.inject({
    method: 'GET',
    url: '/api/v1/app',
    headers: { authorization: `Bearer ${key}`, 'x-client-id': 'alice' },
  });
  return {
    status: res.statusCode,
    body: res.body ? (JSON.parse(res.body) as unknown) : undefined,
    headers: res.headers,
  };
}
