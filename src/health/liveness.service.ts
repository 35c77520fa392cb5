import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { DomainError } from '../common/errors/domain-error.js';
import { LivenessCheck, type LivenessProbe } from '../common/readiness/liveness-check.js';

/**
 * Whether the process is worth keeping: alive unless a part marked `@LivenessCheck(name)` reports a
 * failure it cannot recover from. Unlike readiness, nothing here waits on a dependency.
 */
@Injectable()
export class LivenessService implements OnModuleInit {
  private readonly probes = new Map<string, LivenessProbe>();

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders({ metadataKey: LivenessCheck.KEY })) {
      const name = this.discovery.getMetadataByDecorator(LivenessCheck, wrapper);
      const probe = wrapper.instance as LivenessProbe | undefined;
      if (name && probe) this.probes.set(name, probe);
    }
  }

  /** Throws `503 system.not_alive` naming each failing part. */
  assertAlive(): void {
    const failing: Record<string, string> = {};
    for (const [name, probe] of this.probes) {
      const reason = probe.checkAlive();
      if (reason !== undefined) failing[name] = reason;
    }
    const names = Object.keys(failing);
    if (names.length === 0) return;
    throw new DomainError(
      'unavailable',
      'system.not_alive',
      `The process cannot recover by itself (${names.map((n) => `${n}: ${failing[n]}`).join('; ')}); it should be restarted.`,
      { details: { checks: failing } },
    );
  }
}
