import { DomainError } from '../common/errors/domain-error.js';

/** Addresses remembered at most; the oldest is forgotten first (bounded memory under a spray). */
const MAX_ADDRESSES = 10_000;

/**
 * Slows down guessing of the admin token: after `maxFailures` refused admin credentials from one
 * client address within a window, every admin request from that address is answered 429 with
 * Retry-After until the window ends (the right token included, or guessing would simply go on).
 * In memory, per process: a fixed window per address, counted from its first failure. The address
 * is the one Fastify determined (the proxy's X-Forwarded-For only with VOICEBOX_TRUST_PROXY).
 */
export class AdminAuthThrottle {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws 429 while `address` is over the limit. */
  assertAllowed(address: string): void {
    if (this.maxFailures <= 0) return;
    const entry = this.current(address);
    if (!entry || entry.count < this.maxFailures) return;
    const retryAfter = Math.max(1, Math.ceil((entry.resetAt - this.now()) / 1000));
    throw new DomainError(
      'rate_limited',
      'auth.too_many_failures',
      `Too many refused admin credentials from this address; retry after ${retryAfter} s`,
      { headers: { 'Retry-After': String(retryAfter) } },
    );
  }

  recordFailure(address: string): void {
    if (this.maxFailures <= 0) return;
    const entry = this.current(address);
    if (entry) {
      entry.count++;
      return;
    }
    this.failures.set(address, { count: 1, resetAt: this.now() + this.windowMs });
    if (this.failures.size > MAX_ADDRESSES) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
  }

  /** A success forgets the address's earlier mistakes. */
  recordSuccess(address: string): void {
    this.failures.delete(address);
  }

  private current(address: string): { count: number; resetAt: number } | undefined {
    const entry = this.failures.get(address);
    if (entry && entry.resetAt <= this.now()) {
      this.failures.delete(address);
      return undefined;
    }
    return entry;
  }
}
