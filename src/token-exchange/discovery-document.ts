import type { Logger } from 'pino';
import type { ExchangeHop } from './exchange-hop.js';
import { exchangeBadResponse, exchangeUnavailable } from './token-exchange-errors.js';

const FRESH_MS = 60 * 60 * 1000;
const RETRY_AFTER_SECONDS = 5;

interface Entry {
  tokenEndpoint: string;
  fetchedAt: number;
}

/**
 * The token endpoint of each authorization server, read from its discovery document and kept for an
 * hour. Concurrent first requests share one fetch; when a refresh fails, the endpoint already known
 * keeps being used (it rarely changes, and an outage of the metadata must not stop exchanges).
 */
export class DiscoveryDocuments {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(
    private readonly timeoutMs: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async tokenEndpoint(url: string, hop: ExchangeHop, setting: string): Promise<string> {
    const known = this.entries.get(url);
    if (known && this.now() - known.fetchedAt < FRESH_MS) return known.tokenEndpoint;
    let pending = this.inflight.get(url);
    if (!pending) {
      pending = this.fetch(url, hop, setting).finally(() => this.inflight.delete(url));
      this.inflight.set(url, pending);
    }
    try {
      return await pending;
    } catch (err) {
      if (known) {
        this.logger.warn(
          { hop, url },
          'discovery document refresh failed; using the known token endpoint',
        );
        return known.tokenEndpoint;
      }
      throw err;
    }
  }

  private async fetch(url: string, hop: ExchangeHop, setting: string): Promise<string> {
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw exchangeUnavailable(hop, RETRY_AFTER_SECONDS, 'discovery document unreachable', err);
    }
    if (res.status >= 500 || res.status === 429) {
      await res.body?.cancel();
      throw exchangeUnavailable(
        hop,
        RETRY_AFTER_SECONDS,
        `discovery document status ${res.status}`,
      );
    }
    const doc = res.ok
      ? ((await res.json().catch(() => null)) as { token_endpoint?: unknown } | null)
      : null;
    if (!res.ok) await res.body?.cancel();
    const endpoint = doc?.token_endpoint;
    if (typeof endpoint !== 'string' || !/^https?:\/\//.test(endpoint)) {
      this.logger.error(
        { hop, url, status: res.status },
        `the discovery document names no token endpoint: check ${setting}`,
      );
      throw exchangeBadResponse(hop, 'the discovery document names no token endpoint');
    }
    this.entries.set(url, { tokenEndpoint: endpoint, fetchedAt: this.now() });
    return endpoint;
  }
}
