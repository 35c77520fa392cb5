import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback server speaking OpenAI's chat-completions wire (JSON and SSE streaming), as served by
 * openai, azure, databricks, fireworks and vertex. It records every request (path, query, headers,
 * body) and answers from a script of replies; when the script is empty it answers `defaultText`.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
  /** The client closed the connection before the reply was complete. */
  clientClosed: boolean;
}

export type WireReply =
  /** A chat answer: JSON, or SSE when the request asked for `stream: true`. */
  | {
      kind: 'answer';
      text: string;
      promptTokens?: number;
      completionTokens?: number;
      delayMs?: number;
    }
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Accept the request and never answer (timeouts, aborts). */
  | { kind: 'hang' }
  /** Drop the connection without a response (a connection error). */
  | { kind: 'reset' };

export class OpenAiWireServer {
  readonly requests: RecordedRequest[] = [];
  private readonly script: WireReply[] = [];
  private closeWaiters: Array<() => void> = [];
  defaultText = 'Hello from the loopback model';
  /**
   * An LLM gateway's check of the caller (e.g. a bearer JWT against an IdP's JWKS): a refusal
   * answers its status before the request is recorded; undefined lets the request through.
   */
  authorize?: (req: IncomingMessage) => Promise<{ status: number; body: unknown } | undefined>;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<OpenAiWireServer> {
    const server = createServer();
    const wire = new OpenAiWireServer(server);
    server.on('request', (req, res) => void wire.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return wire;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Queue replies for the next requests, in order. */
  reply(...replies: WireReply[]): this {
    this.script.push(...replies);
    return this;
  }

  /** Forget recorded requests and unused replies (between tests). */
  reset(): void {
    this.requests.length = 0;
    this.script.length = 0;
  }

  /** Resolves when a request's connection is closed by the client before the reply ended. */
  clientClosed(): Promise<void> {
    if (this.requests.some((r) => r.clientClosed)) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const text = Buffer.concat(chunks).toString('utf8');
    const refusal = await this.authorize?.(req);
    if (refusal) {
      res.writeHead(refusal.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(refusal.body));
      return;
    }
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      clientClosed: false,
    };
    this.requests.push(recorded);
    res.on('close', () => {
      if (res.writableFinished) return;
      recorded.clientClosed = true;
      for (const w of this.closeWaiters.splice(0)) w();
    });
    const reply = this.script.shift() ?? { kind: 'answer', text: this.defaultText };
    switch (reply.kind) {
      case 'hang':
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'status':
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(JSON.stringify(reply.body ?? { error: { message: `status ${reply.status}` } }));
        return;
      case 'answer':
        if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
        if (res.destroyed) return;
        if (recorded.body.stream === true) return this.sse(res, recorded, reply);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(completion(recorded, reply)));
    }
  }

  private sse(
    res: ServerResponse,
    req: RecordedRequest,
    reply: Extract<WireReply, { kind: 'answer' }>,
  ): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const base = {
      id: 'chatcmpl-loop',
      object: 'chat.completion.chunk',
      created: 1,
      model: req.body.model,
    };
    const send = (o: unknown) => res.write(`data: ${JSON.stringify(o)}\n\n`);
    send({
      ...base,
      choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
    });
    for (const piece of reply.text.match(/\S+\s*/g) ?? []) {
      send({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
    }
    send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    const opts = req.body.stream_options as { include_usage?: boolean } | undefined;
    if (opts?.include_usage) send({ ...base, choices: [], usage: usageOf(reply) });
    res.end('data: [DONE]\n\n');
  }
}

function usageOf(reply: Extract<WireReply, { kind: 'answer' }>) {
  const prompt_tokens = reply.promptTokens ?? 11;
  const completion_tokens = reply.completionTokens ?? 7;
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}

function completion(req: RecordedRequest, reply: Extract<WireReply, { kind: 'answer' }>) {
  return {
    id: 'chatcmpl-loop',
    object: 'chat.completion',
    created: 1,
    model: req.body.model,
    choices: [
      { index: 0, message: { role: 'assistant', content: reply.text }, finish_reason: 'stop' },
    ],
    usage: usageOf(reply),
  };
}
