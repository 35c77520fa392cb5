import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { ReadinessCheck, type ReadinessProbe } from '../common/readiness/readiness-check.js';

export type ReadinessCheckFn = () => Promise<void>;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; reason?: string }>;
}

const CHECK_TIMEOUT_MS = 2000;

/**
 * Whether the service can serve. The modules owning a dependency (the database, the knowledge graph)
 * contribute a provider marked `@ReadinessCheck(name)`; the probe is ready when start-up finished,
 * every check passes and shutdown has not begun.
 */
@Injectable()
export class ReadinessService implements OnModuleInit {
  private readonly checks = new Map<string, ReadinessCheckFn>();
  private started = false;
  private shuttingDown = false;

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders({ metadataKey: ReadinessCheck.KEY })) {
      const name = this.discovery.getMetadataByDecorator(ReadinessCheck, wrapper);
      const probe = wrapper.instance as ReadinessProbe | undefined;
      if (name && probe) this.register(name, () => probe.checkReady());
    }
  }

  /** A check added at run time (tests add one that never answers). */
  register(name: string, check: ReadinessCheckFn): void {
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
