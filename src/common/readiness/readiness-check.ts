import { DiscoveryService } from '@nestjs/core';

/** A dependency the service needs in order to serve; throws (with a reason) while it is not usable. */
export interface ReadinessProbe {
  checkReady(): Promise<void>;
}

/**
 * Marks a provider implementing ReadinessProbe; the value names the check in `/system/ready`. The
 * module that owns a dependency contributes its check this way and the health module discovers it,
 * so neither imports the other.
 */
export const ReadinessCheck = DiscoveryService.createDecorator<string>();
