import { Injectable } from '@nestjs/common';

export type ReadinessCheck = () => Promise<void>;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; reason?: string }>;
}

const CHECK_TIMEOUT_MS = 2000;

/**
 * Whether the service can serve. Modules register a check for each dependency they need (the
 * database, the knowledge graph); the probe is ready when start-up finished, every check passes and
 * shutdown has not begun.
 */
@Injectable()
export class ReadinessService {
  private readonly checks = new Map<string, ReadinessCheck>();
  private started = false;
  private shuttingDown = false;

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  markStarted(): void {
    this.started = true;
  }

  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  async report(): Promise<ReadinessReport> {
    const checks: ReadinessReport['checks'] = {
      startup: this.started ? { ok: true } : { ok: false, reason: 'starting' },
    };
    if (this.shuttingDown) checks.shutdown = { ok: false, reason: 'shutting down' };
    await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        try {
          await withTimeout(check(), CHECK_TIMEOUT_MS);
          checks[name] = { ok: true };
        } catch (err) {
          checks[name] = { ok: false, reason: err instanceof Error ? err.message : 'failed' };
        }
      }),
    );
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
