import type { Migration } from './migrator.js';
import { sql as initial } from './migrations/001_initial.js';
import { sql as conversations } from './migrations/002_conversations.js';
import { sql as exampleQueries } from './migrations/003_example_queries.js';
import { sql as auditTrail } from './migrations/004_audit_trail.js';
import { sql as rateLimits } from './migrations/005_rate_limits.js';

/**
 * Every schema migration, in order. The SQL lives in TypeScript string modules so that `tsc` ships
 * it in dist with no copy step. Never edit one that was released: add the next number.
 */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'conversations', sql: conversations },
  { version: 3, name: 'example_queries', sql: exampleQueries },
  { version: 4, name: 'audit_trail', sql: auditTrail },
  { version: 5, name: 'rate_limits', sql: rateLimits },
];
