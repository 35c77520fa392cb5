import type { Logger } from 'pino';
import { DomainError } from '../common/errors/domain-error.js';
import type { Tracing } from '../observability/tracing.js';
import type { TokenExchangeService } from '../token-exchange/token-exchange.service.js';
import type { AskAnswer } from '../voicebox/ask-types.js';
import { VoiceboxBackend, type VoiceboxCall } from '../voicebox/voicebox-backend.js';
import { relayNdjson } from './ndjson-relay.js';
import { upstreamText } from './upstream-text.js';
import {
  passedThrough,
  voiceboxServiceFailed,
  voiceboxServiceRefused,
  voiceboxServiceStreamBroken,
  voiceboxServiceTimeout,
  voiceboxServiceUnavailable,
} from './voicebox-service-errors.js';

export interface VoiceboxServiceTarget {
  /** VOICEBOX_SERVICE_ENDPOINT, ending in a slash so that routes resolve under its path. */
  baseUrl: string;
  timeoutMs: number;
}

type Route = 'ask' | 'generate-query' | 'stream/ask';

/** The routes of the other faces that a gateway forwards as they are (their bodies untouched). */
export type RelayedRoute = 'v1/chat/completions' | 'mcp';

/** What forwarding needs of the request it serves. */
export type ForwardContext = Pick<VoiceboxCall, 'identity' | 'audit' | 'requestId' | 'signal'>;

const PATHS: Record<Route | RelayedRoute, string> = {
  ask: 'api/v1/voicebox/ask',
  'generate-query': 'api/v1/voicebox/generate-query',
  'stream/ask': 'api/v1/voicebox/stream/ask',
  'v1/chat/completions': 'v1/chat/completions',
  mcp: 'mcp',
};

interface Outgoing {
  route: Route | RelayedRoute;
  payload: unknown;
  accept: string;
  /** The timer stops once the headers arrived (the body may take as long as the answer does). */
  stream: boolean;
  headers?: Record<string, string>;
}

/** Why a forwarded request was aborted: the gateway's client left, or the wait was too long. */
class TimedOut extends Error {}

/**
 * The gateway of a split deployment: the caller was authenticated here (user token and app key),
 * the voicebox work is done by the Voicebox Service over HTTP. The user's token is exchanged for one
 * with VOICEBOX_SERVICE_SCOPE (the Voicebox Service runs with REQUIRE_JWT_AUTH=true and sees the
 * same user as subject); the app key travels in X-Voicebox-App-Key, the contract's header for an
 * app key beside a user token, so the Voicebox Service checks it against the shared database.
 * X-Client-Id, X-SD-Auth-Token and the request id travel as they came; with tracing on, the
 * request's `traceparent` too, so one trace spans both services.
 */
export class ForwardingVoiceboxBackend extends VoiceboxBackend {
  constructor(
    private readonly target: VoiceboxServiceTarget,
    private readonly exchange: TokenExchangeService,
    private readonly logger: Logger,
    private readonly tracing: Tracing,
  ) {
    super();
  }

  async ask(call: VoiceboxCall): Promise<AskAnswer> {
    return this.json('ask', call);
  }

  async generateQuery(call: VoiceboxCall): Promise<AskAnswer> {
    return this.json('generate-query', call);
  }

  async askStream(call: VoiceboxCall): Promise<AsyncIterable<string>> {
    const { res, abort } = await this.send(call, voiceboxRequest('stream/ask', call, true));
    if (!res.body) throw voiceboxServiceFailed(res.status, 'the stream has no body');
    const lines = relayNdjson(res.body, call.signal, abort, (last) => {
      if (last) call.audit.recordAsk(askRecordOf(call, last));
    })[Symbol.asyncIterator]();
    // The first line before the 200 leaves: a stream that breaks before it is still an HTTP error.
    const first = await lines.next();
    return (async function* rest() {
      if (first.done) return;
      yield first.value;
      yield* { [Symbol.asyncIterator]: () => lines };
    })();
  }

  private async json(route: Route, call: VoiceboxCall): Promise<AskAnswer> {
    const { res, signal, settled } = await this.send(call, voiceboxRequest(route, call, false));
    let body: AskAnswer | null;
    try {
      body = (await res.json()) as AskAnswer | null;
    } catch (err) {
      if (signal.aborted) throw this.failureOf(err, call, signal);
      throw voiceboxServiceFailed(res.status, 'the answer is not JSON');
    } finally {
      settled();
    }
    if (!body || typeof body.result !== 'string' || !Array.isArray(body.actions)) {
      throw voiceboxServiceFailed(res.status, 'the answer is not the voicebox API’s JSON');
    }
    call.audit.recordAsk(askRecordOf(call, body));
    return body;
  }

  /**
   * A JSON route of another face (the OpenAI-compatible one, MCP) forwarded as it came: the
   * Voicebox Service's 2xx answer is returned as is (no body: a 202 to an MCP notification), its
   * errors mapped as for the voicebox routes.
   */
  async relayJson(
    route: RelayedRoute,
    ctx: ForwardContext,
    payload: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: unknown }> {
    const accept = headers.accept ?? 'application/json';
    const { res, signal, settled } = await this.send(ctx, {
      route,
      payload,
      accept,
      stream: false,
      headers,
    });
    try {
      const text = await res.text();
      if (text === '') return { status: res.status, body: undefined };
      return { status: res.status, body: JSON.parse(text) as unknown };
    } catch (err) {
      if (signal.aborted) throw this.failureOf(err, ctx, signal);
      throw voiceboxServiceFailed(res.status, 'the answer is not JSON');
    } finally {
      settled();
    }
  }

  /**
   * A server-sent-events answer of another face (the OpenAI-compatible stream), relayed chunk by
   * chunk as it arrives. Resolves once the Voicebox Service answered 2xx, so failures before that
   * keep their HTTP status; a stream that breaks later ends with an error event; the client leaving
   * (or stopping to read) aborts the upstream request.
   */
  async relayEvents(
    route: RelayedRoute,
    ctx: ForwardContext,
    payload: unknown,
  ): Promise<AsyncIterable<string>> {
    const { res, abort } = await this.send(ctx, {
      route,
      payload,
      accept: 'text/event-stream',
      stream: true,
    });
    const body: ReadableStream<Uint8Array> | null = res.body;
    if (!body) throw voiceboxServiceFailed(res.status, 'the stream has no body');
    const text = upstreamText(body, ctx.signal, abort);
    const logger = this.logger;
    return (async function* events() {
      try {
        yield* text;
      } catch (err) {
        if (ctx.signal.aborted) return;
        logger.warn({ route, err: (err as Error).message }, 'the Voicebox Service stream broke');
        const broken = voiceboxServiceStreamBroken('broke before its end', err);
        yield `data: ${JSON.stringify({
          error: { message: broken.message, type: broken.kind, code: broken.code, status: 502 },
        })}\n\n`;
      }
    })();
  }

  /**
   * The request, up to a 2xx response whose body is still to be read; any other answer is mapped
   * to this gateway's error. `settled` stops the timer: for a stream once its headers arrived (the
   * stream itself may then take as long as the answer does), else once the body was read.
   */
  private async send(
    call: ForwardContext,
    out: Outgoing,
  ): Promise<{
    res: Response;
    signal: AbortSignal;
    abort: () => void;
    settled: () => void;
  }> {
    const { identity } = call;
    if (!identity.userToken) {
      // Configuration requires a JWT mode with VOICEBOX_SERVICE_ENDPOINT: only a token-less face gets here.
      throw new DomainError(
        'unauthenticated',
        'token_exchange.no_user_token',
        'The Voicebox Service needs the user’s token and this request carries none',
        { headers: { 'WWW-Authenticate': 'Bearer realm="voicebox"' } },
      );
    }
    // Before anything is sent: a refused exchange is the caller's 401/403, an outage a 503.
    const token = await this.exchange.exchange('voicebox_service', identity.userToken, (r) =>
      call.audit.recordTokenExchange(r),
    );
    const controller = new AbortController();
    const onClientGone = () => controller.abort(call.signal.reason);
    call.signal.addEventListener('abort', onClientGone, { once: true });
    const timer = setTimeout(() => controller.abort(new TimedOut()), this.target.timeoutMs);
    const settled = () => {
      clearTimeout(timer);
      call.signal.removeEventListener('abort', onClientGone);
    };
    const abort = () => controller.abort(new Error('forwarding finished'));
    const { route, stream } = out;
    const headers: Record<string, string> = {
      ...out.headers,
      authorization: `Bearer ${token}`,
      'x-voicebox-app-key': identity.appKey,
      'x-client-id': identity.clientId,
      'content-type': 'application/json',
      accept: out.accept,
      'x-request-id': call.requestId,
    };
    if (identity.sdAuthToken) headers['x-sd-auth-token'] = identity.sdAuthToken;
    this.tracing.propagate(headers);
    let res: Response;
    try {
      res = await fetch(new URL(PATHS[route], this.target.baseUrl), {
        method: 'POST',
        headers,
        body: JSON.stringify(out.payload),
        signal: controller.signal,
      });
    } catch (err) {
      settled();
      call.audit.recordForward({ service: 'voicebox_service', route, status: 0 });
      throw this.failureOf(err, call, controller.signal);
    }
    call.audit.recordForward({ service: 'voicebox_service', route, status: res.status });
    if (res.ok) {
      if (stream) settled();
      return { res, signal: controller.signal, abort, settled };
    }
    settled();
    throw await this.errorOf(res, route);
  }

  private async errorOf(res: Response, route: Route | RelayedRoute): Promise<DomainError> {
    const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    const code = typeof body?.code === 'string' ? body.code : undefined;
    if (res.status === 401 || res.status === 403) {
      this.logger.error(
        { route, upstream_status: res.status, upstream_code: code },
        'the Voicebox Service refused the gateway: check that OKTA_AUTHORIZATION_SERVER_AUDIENCE and VOICEBOX_SERVICE_SCOPE match its JWT_AUDIENCE and JWT_REQUIRED_SCOPE, and that both use the same database of app keys',
      );
      return voiceboxServiceRefused(res.status, code);
    }
    const passed = passedThrough(res.status, body, res.headers.get('retry-after'));
    if (passed) return passed;
    this.logger.error(
      { route, upstream_status: res.status, upstream_code: code },
      'the Voicebox Service failed',
    );
    return voiceboxServiceFailed(res.status, `status ${res.status}`);
  }

  private failureOf(err: unknown, call: ForwardContext, signal?: AbortSignal): unknown {
    if (err instanceof DomainError) return err;
    const reason: unknown = signal?.reason;
    if (reason instanceof TimedOut || err instanceof TimedOut) {
      return voiceboxServiceTimeout(this.target.timeoutMs / 1000);
    }
    // The caller left: nobody reads this error; keep it plain for the log.
    if (call.signal.aborted) return err;
    const cause = (err as { cause?: { code?: string } }).cause;
    this.logger.warn(
      { err: cause?.code ?? (err as Error).message, endpoint: this.target.baseUrl },
      'the Voicebox Service cannot be reached',
    );
    return voiceboxServiceUnavailable(err);
  }
}

/** The voicebox API's own request for a call of its routes. */
function voiceboxRequest(route: Route, call: VoiceboxCall, stream: boolean): Outgoing {
  return {
    route,
    stream,
    accept: stream ? 'application/x-ndjson' : 'application/json',
    payload: {
      query: call.question,
      ...(call.conversationId && { conversation_id: call.conversationId }),
      ...(call.thinkMode && { think_mode: call.thinkMode }),
    },
  };
}

function askRecordOf(
  call: VoiceboxCall,
  answer: Pick<AskAnswer, 'conversation_id' | 'message_id' | 'actions'>,
) {
  const sparql = answer.actions.find((a) => a.type === 'sparql')?.value;
  return {
    appName: call.identity.app.name,
    conversationId: answer.conversation_id,
    messageId: answer.message_id,
    sparql: typeof sparql === 'string' ? sparql : undefined,
    // The Voicebox Service's own audit record has the outcome of the question.
    outcome: 'forwarded',
  };
}
