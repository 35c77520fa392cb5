import { DiscoveryService } from '@nestjs/core';

/**
 * A part whose failure the process cannot recover from by itself (e.g. an embedded server that died
 * and could not be restarted): the orchestrator should replace the process. Returns the reason while
 * failing, else undefined. Synchronous and cheap: liveness probes run often and must not hang.
 */
export interface LivenessProbe {
  checkAlive(): string | undefined;
}

/** Marks a provider implementing LivenessProbe; the value names it in the `/system/health` error. */
export const LivenessCheck = DiscoveryService.createDecorator<string>();
