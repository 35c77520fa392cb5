import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { InjectLogger } from '../observability/root-logger.js';
import type { AuditEntry } from './audit-entry.js';
import { AuditTrailRepository } from './audit-trail.repository.js';

/** Entries waiting for the database; past this, new ones are dropped (and counted in a warning). */
export const AUDIT_QUEUE_LIMIT = 10_000;
const BATCH_SIZE = 200;
/**
 * How long the first entry waits for others to share its INSERT. Asks arriving one after another
 * otherwise cost one insert each (measured: ~0.2 ms of the event loop per ask, bench:overhead);
 * the price is that a process killed outright loses at most this much of the trail (the audit log
 * line is written anyway), and a graceful shutdown flushes it.
 */
export const AUDIT_LINGER_MS = 100;

/**
 * Writes audit entries to PostgreSQL off the request path: `write` only queues, one drain loop
 * inserts what queued up in batches. A slow or failing database never delays a response; a failed
 * batch is logged (ids and count, not the content) and dropped, and the queue stays bounded.
 */
@Injectable()
export class AuditTrailWriter implements BeforeApplicationShutdown {
  private readonly queue: AuditEntry[] = [];
  private draining?: Promise<void>;
  private dropped = 0;
  /** Ends the current linger early (flush). */
  private wake?: () => void;

  constructor(
    private readonly repository: AuditTrailRepository,
    @InjectLogger() private readonly log: Logger,
  ) {}

  write(entry: AuditEntry): void {
    if (this.queue.length >= AUDIT_QUEUE_LIMIT) {
      if (this.dropped++ % 1000 === 0) {
        this.log.warn(
          { dropped: this.dropped, queued: this.queue.length },
          'audit trail queue full: entries dropped (the audit log line is still written)',
        );
      }
      return;
    }
    this.queue.push(entry);
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  /** Stores what is queued now, without waiting out the linger; resolves once it is stored. */
  async flush(): Promise<void> {
    this.wake?.();
    while (this.draining) await this.draining;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private async drain(): Promise<void> {
    // Wait first: the response that queued the entry is not held by the insert, and the entries of
    // the next moment share it.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, AUDIT_LINGER_MS);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, BATCH_SIZE);
      try {
        await this.repository.insertMany(batch);
      } catch (err) {
        this.log.error(
          {
            error: (err as Error).message,
            code: (err as { code?: string }).code,
            lost: batch.length,
            request_ids: batch.slice(0, 10).map((e) => e.requestId),
          },
          'audit trail: entries could not be stored',
        );
      }
    }
  }
}
