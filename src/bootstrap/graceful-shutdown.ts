import type { INestApplication } from '@nestjs/common';
import type { Logger } from 'pino';
import type { ReadinessService } from '../health/readiness.service.js';

export type ShutdownOutcome = 'drained' | 'deadline';

/**
 * SIGTERM handling: readiness turns 503 at once (so the load balancer stops routing), the listener
 * closes, in-flight requests (streams included) run to completion until the deadline, and connections
 * still open then are cut. Either way the process then exits 0: Kubernetes asked it to stop.
 */
export class GracefulShutdown {
  private running?: Promise<ShutdownOutcome>;

  constructor(
    private readonly app: INestApplication,
    private readonly readiness: ReadinessService,
    private readonly logger: Logger,
    private readonly deadlineMs: number,
  ) {}

  run(signal: string): Promise<ShutdownOutcome> {
    this.running ??= this.shutdown(signal);
    return this.running;
  }

  private async shutdown(signal: string): Promise<ShutdownOutcome> {
    const started = Date.now();
    this.logger.info(
      { signal, deadline_ms: this.deadlineMs },
      'shutting down: draining in-flight requests',
    );
    this.readiness.markShuttingDown();
    const server = this.app.getHttpServer() as import('node:http').Server;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<ShutdownOutcome>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), this.deadlineMs);
    });
    const closed = this.app.close().then(() => 'drained' as const);
    const outcome = await Promise.race([closed, deadline]);
    clearTimeout(timer);
    if (outcome === 'deadline') {
      this.logger.warn(
        { waited_ms: Date.now() - started },
        'shutdown deadline reached: closing remaining connections',
      );
      server.closeAllConnections();
      await closed.catch(() => undefined);
    }
    this.logger.info({ outcome, duration_ms: Date.now() - started }, 'shutdown complete');
    return outcome;
  }
}
