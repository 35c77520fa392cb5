import { Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DomainError } from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { InjectLogger } from '../observability/root-logger.js';
import { RateLimitRepository } from './rate-limit.repository.js';

/** Who a voicebox request counts against. */
export interface RateLimitSubject {
  keyId: string;
  appId: string;
  clientId: string;
}

/**
 * Requests per app key and per end user (an app's X-Client-Id) in a fixed window, counted in
 * PostgreSQL so that the limit holds across replicas. Over the limit: 429 with Retry-After (the
 * seconds left in the window). Off unless configured. If the database cannot count, the request is
 * let through with a warning: the limit protects capacity, it does not authenticate.
 */
@Injectable()
export class RateLimiter {
  private readonly limits: { perKey: number; perClient: number; windowSeconds: number };
  private nextPurge = 0;

  constructor(
    config: AppConfig,
    private readonly counters: RateLimitRepository,
    @InjectLogger() private readonly logger: Logger,
  ) {
    this.limits = config.rateLimit;
  }

  get enabled(): boolean {
    return this.limits.perKey > 0 || this.limits.perClient > 0;
  }

  async check(subject: RateLimitSubject): Promise<void> {
    const { perKey, perClient, windowSeconds } = this.limits;
    const buckets: Array<{ bucket: string; limit: number; scope: 'app_key' | 'client' }> = [];
    if (perKey > 0)
      buckets.push({ bucket: `key:${subject.keyId}`, limit: perKey, scope: 'app_key' });
    if (perClient > 0) {
      buckets.push({
        bucket: `client:${subject.appId}:${subject.clientId}`,
        limit: perClient,
        scope: 'client',
      });
    }
    if (buckets.length === 0) return;
    let counts;
    try {
      counts = await this.counters.hit(
        buckets.map((b) => b.bucket),
        windowSeconds,
      );
    } catch (err) {
      this.logger.warn({ err }, 'rate limits could not be counted: request let through');
      return;
    }
    this.purgeNowAndThen();
    for (const b of buckets) {
      const count = counts.find((c) => c.bucket === b.bucket);
      if (count && count.hits > b.limit) {
        const who = b.scope === 'app_key' ? 'this app key' : 'this client (X-Client-Id)';
        throw new DomainError(
          'rate_limited',
          'rate_limit.exceeded',
          `Too many requests for ${who}: ${b.limit} per ${windowSeconds} s; retry in ${count.resetInSeconds} s`,
          {
            headers: { 'retry-after': String(count.resetInSeconds) },
            details: { scope: b.scope, limit: b.limit, window_seconds: windowSeconds },
          },
        );
      }
    }
  }

  /** Old windows go once per window, from whichever request comes first. */
  private purgeNowAndThen(): void {
    const now = Date.now();
    if (now < this.nextPurge) return;
    this.nextPurge = now + this.limits.windowSeconds * 1000;
    this.counters
      .purge(this.limits.windowSeconds)
      .catch((err: unknown) => this.logger.warn({ err }, 'rate-limit windows not purged'));
  }
}
