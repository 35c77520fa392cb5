import {
  startEmbeddedPostgres,
  type EmbeddedPostgresOptions,
  type RunningPostgres,
} from './embedded-postgres.server.js';

/** Waits before each restart attempt: 0.5 s doubling to 8 s, about 15 s in all, then give up. */
export const RESTART_DELAYS_MS = [500, 1000, 2000, 4000, 8000] as const;

export interface SupervisorOptions extends EmbeddedPostgresOptions {
  delaysMs?: readonly number[];
}

/**
 * Keeps the embedded PostgreSQL alive: when the server dies (or the process we attached to stops
 * its own), it starts it again (or attaches to whichever process restarted it first) with a bounded
 * back-off. When every attempt failed it gives up and says so through `failure`, which liveness
 * reports, so that the orchestrator restarts the whole process instead of leaving it answering
 * `database.unavailable` forever.
 */
export class EmbeddedPostgresSupervisor {
  private current?: RunningPostgres;
  private timer?: NodeJS.Timeout;
  private wake?: () => void;
  private restarting?: Promise<void>;
  private stopped = false;
  /** Why the database is gone for good; undefined while it is up or being restarted. */
  failure?: string;
  /** Told the new server's URL after a restart (or after attaching to another process's). */
  onReplaced: (url: string) => void = () => undefined;

  private constructor(private readonly opts: SupervisorOptions) {}

  static async start(opts: SupervisorOptions): Promise<EmbeddedPostgresSupervisor> {
    const supervisor = new EmbeddedPostgresSupervisor(opts);
    supervisor.watch(await startEmbeddedPostgres(opts));
    return supervisor;
  }

  get url(): string {
    return this.current!.url;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
    await this.restarting?.catch(() => undefined);
    await this.current?.stop();
  }

  private watch(server: RunningPostgres): void {
    this.current = server;
    server.onGone((reason) => {
      if (this.stopped || this.current !== server) return;
      this.opts.logger.error(
        { reason, owned: server.owned },
        'embedded PostgreSQL went away: restarting it',
      );
      this.restarting = this.restart(server);
    });
  }

  private async restart(gone: RunningPostgres): Promise<void> {
    const delays = this.opts.delaysMs ?? RESTART_DELAYS_MS;
    // Stopping what is left (nothing when it died; the attachment's watch when attached).
    await gone.stop().catch(() => undefined);
    for (let attempt = 1; attempt <= delays.length; attempt++) {
      const delayMs = delays[attempt - 1];
      this.opts.logger.warn(
        { attempt, attempts: delays.length, delay_ms: delayMs },
        'embedded PostgreSQL restart scheduled',
      );
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, delayMs);
      });
      if (this.stopped) return;
      try {
        const server = await startEmbeddedPostgres({ ...this.opts, existingClusterOnly: true });
        if (this.stopped) {
          await server.stop();
          return;
        }
        this.opts.logger.info(
          { attempt, port: server.port, owned: server.owned },
          'embedded PostgreSQL is back',
        );
        this.watch(server);
        this.onReplaced(server.url);
        return;
      } catch (err) {
        this.opts.logger.warn(
          { attempt, error: err instanceof Error ? err.message : String(err) },
          'embedded PostgreSQL restart failed',
        );
      }
    }
    this.failure = `the embedded PostgreSQL died and ${delays.length} restarts failed`;
    this.opts.logger.fatal(
      { attempts: delays.length },
      'embedded PostgreSQL could not be restarted: liveness now fails so that the process is replaced',
    );
  }
}
