import {
  INVALID_SPAN_CONTEXT,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  DiagLogLevel,
  context,
  diag,
  createContextKey,
  defaultTextMapGetter,
  defaultTextMapSetter,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace-node';
import type { OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/app-config.js';

export { SpanKind };
export type { Attributes, Span };

/**
 * The user a request acts for, stored in the request span's context: every span started under it
 * copies these attributes (subject and client id, never a credential). A function, because the
 * identity is known only once the auth guard has run, after the request span began.
 */
const REQUEST_USER = createContextKey('voicebox.request_user');

/** A span that records nothing: what every call gets when tracing is off. */
const NO_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Spans for the request, the token exchanges, the LLM calls, the SPARQL queries and the ask
 * pipeline's steps. An abstract class as the injection token: `NoTracing` when no OTLP endpoint is
 * configured (no SDK started, each call one branch), `OtlpTracing` when one is.
 */
export abstract class Tracing {
  abstract readonly enabled: boolean;

  /** `work` inside a child span of the active one; it ends when `work` settles, failed if it throws. */
  abstract inSpan<T>(
    name: string,
    attributes: Attributes,
    work: (span: Span) => Promise<T>,
    kind?: SpanKind,
  ): Promise<T>;

  /** A child span of the active one that the caller ends (streams, whose life outlasts a call). */
  abstract startSpan(name: string, attributes: Attributes, kind?: SpanKind): Span;

  /**
   * The span of one HTTP request, child of the caller's `traceparent` when it sends one, and the
   * context to run the handler in; `user` names who the request acts for once that is known.
   */
  abstract startRequest(
    name: string,
    headers: Record<string, string | string[] | undefined>,
    attributes: Attributes,
    user: () => Attributes,
  ): { span: Span; context: Context };

  /** Runs `fn` with `ctx` active (callback style, so that everything it starts inherits it). */
  abstract runIn(ctx: Context, fn: () => void): void;

  /**
   * Writes the active span's `traceparent` (and `tracestate`) into `headers` of an outgoing HTTP
   * request, so that the service it calls continues this trace (the split deployment's hop).
   */
  abstract propagate(headers: Record<string, string>): void;
}

/** Tracing off: no SDK, no context manager, no allocation per call. */
export class NoTracing extends Tracing {
  readonly enabled = false;

  inSpan<T>(_name: string, _attributes: Attributes, work: (span: Span) => Promise<T>): Promise<T> {
    return work(NO_SPAN);
  }

  startSpan(): Span {
    return NO_SPAN;
  }

  startRequest(): { span: Span; context: Context } {
    return { span: NO_SPAN, context: ROOT_CONTEXT };
  }

  runIn(_ctx: Context, fn: () => void): void {
    fn();
  }

  propagate(): void {
    // Nothing traced here: the next service starts its own trace (or none).
  }
}

// One context manager and one diagnostic logger per process, shared by every instance (tests start
// several in one process). The tracer provider stays per instance and is never registered globally
// for the same reason.
let processHooksInstalled = false;
function installProcessHooks(logger: Logger): void {
  if (processHooksInstalled) return;
  processHooksInstalled = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  // The SDK reports failed exports (collector down, refused) here; without it they are silent.
  const log = logger.child({ component: 'tracing' });
  diag.setLogger(
    {
      error: (msg, ...args) => log.warn({ detail: args.map(String) }, `tracing: ${msg}`),
      warn: (msg, ...args) => log.warn({ detail: args.map(String) }, `tracing: ${msg}`),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    DiagLogLevel.WARN,
  );
}

/** Tracing on: spans batched to the OTLP/HTTP endpoint (JSON), flushed at shutdown. */
export class OtlpTracing extends Tracing implements OnApplicationShutdown {
  readonly enabled = true;
  private readonly provider: NodeTracerProvider;
  private readonly tracer: Tracer;
  private readonly propagator = new W3CTraceContextPropagator();

  constructor(cfg: AppConfig['tracing'] & { endpoint: string }, version: string, logger: Logger) {
    super();
    installProcessHooks(logger);
    const exporter = new OTLPTraceExporter({ url: cfg.endpoint, headers: cfg.headers });
    this.provider = new NodeTracerProvider({
      resource: resourceFromAttributes({
        'service.name': cfg.serviceName,
        'service.version': version,
      }),
      sampler: samplerOf(cfg),
      spanProcessors: [
        new BatchSpanProcessor(exporter, { scheduledDelayMillis: cfg.batchDelayMs }),
      ],
    });
    this.tracer = this.provider.getTracer('voicebox-service', version);
  }

  async inSpan<T>(
    name: string,
    attributes: Attributes,
    work: (span: Span) => Promise<T>,
    kind: SpanKind = SpanKind.INTERNAL,
  ): Promise<T> {
    const parent = context.active();
    const span = this.start(name, attributes, kind, parent);
    return context.with(trace.setSpan(parent, span), async () => {
      try {
        return await work(span);
      } catch (err) {
        markFailed(span, err);
        throw err;
      } finally {
        span.end();
      }
    });
  }

  startSpan(name: string, attributes: Attributes, kind: SpanKind = SpanKind.INTERNAL): Span {
    return this.start(name, attributes, kind, context.active());
  }

  startRequest(
    name: string,
    headers: Record<string, string | string[] | undefined>,
    attributes: Attributes,
    user: () => Attributes,
  ): { span: Span; context: Context } {
    const parent = this.propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    const span = this.tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
    return { span, context: trace.setSpan(parent, span).setValue(REQUEST_USER, user) };
  }

  runIn(ctx: Context, fn: () => void): void {
    context.with(ctx, fn);
  }

  propagate(headers: Record<string, string>): void {
    this.propagator.inject(context.active(), headers, defaultTextMapSetter);
  }

  onApplicationShutdown(): Promise<void> {
    // Flushes the spans still batched (the request that asked for the shutdown among them).
    return this.provider.shutdown();
  }

  private start(name: string, attributes: Attributes, kind: SpanKind, parent: Context): Span {
    const user = parent.getValue(REQUEST_USER) as (() => Attributes) | undefined;
    return this.tracer.startSpan(
      name,
      { kind, attributes: user ? { ...user(), ...attributes } : attributes },
      parent,
    );
  }
}

/** Marks a span failed with the error's class and code (its message may quote user input). */
export function markFailed(span: Span, err: unknown): void {
  const e = err as { name?: string; code?: unknown };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  span.setStatus({ code: SpanStatusCode.ERROR, message: code ?? e?.name ?? 'error' });
  span.setAttribute('error.type', code ?? e?.name ?? 'error');
}

function samplerOf(cfg: AppConfig['tracing']): Sampler {
  const ratio = new TraceIdRatioBasedSampler(cfg.samplerRatio);
  switch (cfg.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
  }
}

/** The tracing the configuration asks for: none at all unless an OTLP endpoint is configured. */
export function createTracing(config: AppConfig, logger: Logger, version: string): Tracing {
  const { endpoint } = config.tracing;
  if (!endpoint) return new NoTracing();
  logger.info(
    { otlp_traces_endpoint: endpoint, service_name: config.tracing.serviceName },
    'tracing: exporting spans over OTLP/HTTP',
  );
  return new OtlpTracing({ ...config.tracing, endpoint }, version, logger);
}
