import { DomainError } from '../common/errors/domain-error.js';
import { NoTracing, SpanKind, type Tracing } from '../observability/tracing.js';
import type { ExchangeHop } from './exchange-hop.js';
import { TokenExchangeCache, jwtExpiryOf, type CacheSource } from './token-exchange-cache.js';
import type { ExchangeOutcome, TokenEndpointClient } from './token-endpoint-client.js';
import type { TokenExchangeMetrics } from './token-exchange-metrics.js';

/** What an exchange did, for the request's audit record (never the token). */
export interface ExchangeRecord {
  hop: ExchangeHop;
  source: CacheSource;
}

/**
 * The user's token in, a token for the next hop out: from the cache when possible, else from one
 * exchange shared by every concurrent request of the same user. The hops that are configured are
 * the ones this process has (the LLM gateway on the Voicebox Service, the Voicebox Service on the
 * gateway of a split deployment).
 */
export class TokenExchangeService {
  private readonly clients: ReadonlyMap<ExchangeHop, TokenEndpointClient>;

  constructor(
    clients: TokenEndpointClient[],
    private readonly cache: TokenExchangeCache,
    private readonly metrics: TokenExchangeMetrics,
    private readonly tracing: Tracing = new NoTracing(),
  ) {
    this.clients = new Map(clients.map((c) => [c.settings.hop, c]));
  }

  has(hop: ExchangeHop): boolean {
    return this.clients.has(hop);
  }

  async exchange(
    hop: ExchangeHop,
    subjectToken: string,
    onRecord?: (record: ExchangeRecord) => void,
  ): Promise<string> {
    const client = this.clients.get(hop);
    if (!client) {
      throw new DomainError(
        'unavailable',
        'token_exchange.not_configured',
        `No token exchange is configured for ${hop}`,
      );
    }
    const { audience, scope } = client.settings;
    const attributes = {
      'voicebox.token_exchange.hop': hop,
      'voicebox.token_exchange.audience': audience,
    };
    return this.tracing.inSpan(`token_exchange ${hop}`, attributes, async (span) => {
      const key = TokenExchangeCache.keyOf(subjectToken, audience, scope);
      const { token, source } = await this.cache.get(key, jwtExpiryOf(subjectToken), () =>
        this.timed(client, subjectToken),
      );
      span.setAttribute('voicebox.token_exchange.cache', source);
      this.metrics.lookup(hop, source);
      onRecord?.({ hop, source });
      return token;
    });
  }

  /** One request to the token endpoint (a cache miss), timed for the metrics and the trace. */
  private timed(client: TokenEndpointClient, subjectToken: string) {
    const { hop, provider } = client.settings;
    const attributes = {
      'voicebox.token_exchange.hop': hop,
      'voicebox.token_exchange.provider': provider,
    };
    return this.tracing.inSpan(
      'token_exchange.request',
      attributes,
      async (span) => {
        const started = process.hrtime.bigint();
        let outcome: ExchangeOutcome = 'ok';
        try {
          return await client.exchange(subjectToken);
        } catch (err) {
          outcome = outcomeOf(err);
          throw err;
        } finally {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          this.metrics.exchanged(hop, outcome, seconds);
          span.setAttribute('voicebox.token_exchange.outcome', outcome);
        }
      },
      SpanKind.CLIENT,
    );
  }
}

function outcomeOf(err: unknown): ExchangeOutcome {
  if (!(err instanceof DomainError)) return 'bad_response';
  switch (err.code) {
    case 'token_exchange.refused':
      return 'refused';
    case 'token_exchange.client_refused':
      return 'client_refused';
    case 'token_exchange.unavailable':
      return 'unavailable';
    default:
      return 'bad_response';
  }
}
