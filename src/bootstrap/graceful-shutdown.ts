import type { INestApplication } from '@nestjs/common';
import type { Logger } from 'pino';
import type { ReadinessService } from '../health/readiness.service.js';

export type ShutdownOutcome = 'drained' | 'deadline' | 'close_failed';

/**
 * SIGTERM handling: readiness turns 503 at once (so the load balancer stops routing), the listener
 * closes, in-flight requests (streams included) run to completion until the deadline, and connections
 * still open then are cut. The caller then exits: 0 when the application closed (Kubernetes asked it
 * to stop), 1 when a shutdown hook failed (logged), so that a failed close neither hangs the process
 * on what it left open nor passes unnoticed.
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
    const closed = this.app.close().then(
      () => 'drained' as const,
      (err: unknown) => {
        this.logger.error({ err }, 'shutdown: closing the application failed');
        return 'close_failed' as const;
      },
    );
    let outcome: ShutdownOutcome = await Promise.race([closed, deadline]);
    clearTimeout(timer);
    if (outcome === 'deadline') {
      this.logger.warn(
        { waited_ms: Date.now() - started },
        'shutdown deadline reached: closing remaining connections',
      );
      server.closeAllConnections();
      // A hook that hangs must not keep the process either: wait once more, then give up on it.
      const late = await Promise.race([
        closed,
        new Promise<'deadline'>((resolve) => {
          timer = setTimeout(() => resolve('deadline'), this.deadlineMs);
        }),
      ]);
      clearTimeout(timer);
      if (late === 'close_failed') outcome = 'close_failed';
    }
    this.logger.info({ outcome, duration_ms: Date.now() - started }, 'shutdown complete');
    return outcome;
  }
}
