import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * A loopback Amazon Bedrock runtime speaking Converse and ConverseStream over HTTP/1.1 (the transport
 * the strategy configures, see bedrock.provider.ts). Every request's SigV4 signature is recomputed with the secret of the
 * access key it names; a wrong or missing signature is refused with 403, as AWS does.
 */
export interface BedrockRecordedRequest {
  path: string;
  modelId: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
  accessKeyId?: string;
  signatureValid: boolean;
  clientClosed: boolean;
}

export type BedrockReply =
  | { kind: 'answer'; text: string; inputTokens?: number; outputTokens?: number }
  | { kind: 'error'; status: number; errorType: string; message: string }
  | { kind: 'hang' };

const utf8 = {
  decode: (b: Uint8Array) => new TextDecoder().decode(b),
  encode: (s: string) => new TextEncoder().encode(s),
};
const codec = new EventStreamCodec(utf8.decode, utf8.encode);

export class BedrockWireServer {
  readonly requests: BedrockRecordedRequest[] = [];
  private readonly script: BedrockReply[] = [];

  private constructor(
    private readonly server: Server,
    private readonly keys: Record<string, string>,
    private readonly region: string,
  ) {}

  /** `keys`: access key id → secret access key the server accepts. */
  static async start(keys: Record<string, string>, region: string): Promise<BedrockWireServer> {
    const server = createServer();
    const wire = new BedrockWireServer(server, keys, region);
    server.on('request', (req, res) => void wire.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return wire;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  reply(...replies: BedrockReply[]): this {
    this.script.push(...replies);
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const url = req.url ?? '/';
    const match = /^\/model\/([^/]+)\/(converse|converse-stream)$/.exec(url.split('?')[0]);
    const { valid, accessKeyId } = await this.verify(req, raw);
    const recorded: BedrockRecordedRequest = {
      path: url,
      modelId: match ? decodeURIComponent(match[1]) : '',
      headers: req.headers,
      body: raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {},
      accessKeyId,
      signatureValid: valid,
      clientClosed: false,
    };
    this.requests.push(recorded);
    res.on('close', () => {
      if (!res.writableFinished) recorded.clientClosed = true;
    });
    if (!valid)
      return this.error(
        res,
        403,
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided.',
      );
    if (!match) return this.error(res, 404, 'UnknownOperationException', 'Unknown operation');
    const reply = this.script.shift() ?? { kind: 'answer', text: 'Hello from loopback Bedrock' };
    switch (reply.kind) {
      case 'hang':
        return;
      case 'error':
        return this.error(res, reply.status, reply.errorType, reply.message);
      case 'answer':
        if (match[2] === 'converse') return this.converse(res, reply);
        return this.converseStream(res, reply);
    }
  }

  private converse(res: ServerResponse, reply: Extract<BedrockReply, { kind: 'answer' }>) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        output: { message: { role: 'assistant', content: [{ text: reply.text }] } },
        stopReason: 'end_turn',
        usage: usage(reply),
        metrics: { latencyMs: 5 },
      }),
    );
  }

  private converseStream(res: ServerResponse, reply: Extract<BedrockReply, { kind: 'answer' }>) {
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
    const event = (type: string, body: unknown) =>
      res.write(
        codec.encode({
          headers: {
            ':event-type': { type: 'string', value: type },
            ':content-type': { type: 'string', value: 'application/json' },
            ':message-type': { type: 'string', value: 'event' },
          },
          body: utf8.encode(JSON.stringify(body)),
        }),
      );
    event('messageStart', { role: 'assistant' });
    for (const piece of reply.text.match(/\S+\s*/g) ?? []) {
      event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: piece } });
    }
    event('contentBlockStop', { contentBlockIndex: 0 });
    event('messageStop', { stopReason: 'end_turn' });
    event('metadata', { usage: usage(reply), metrics: { latencyMs: 5 } });
    res.end();
  }

  private error(res: ServerResponse, status: number, type: string, message: string) {
    res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
    res.end(JSON.stringify({ message }));
  }

  /** Re-signs the request as received with the named key's secret and compares signatures. */
  private async verify(req: IncomingMessage, body: Buffer) {
    const auth = String(req.headers.authorization ?? '');
    const m =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]+)$/.exec(
        auth,
      );
    if (!m) return { valid: false };
    const [, accessKeyId, region, service, signedHeaders, signature] = m;
    const secret = this.keys[accessKeyId];
    if (!secret || region !== this.region) return { valid: false, accessKeyId };
    const headers: Record<string, string> = {};
    for (const name of signedHeaders.split(';')) {
      const value = req.headers[name];
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    const amzDate = headers['x-amz-date'] ?? '';
    const signingDate = new Date(
      amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
    );
    const [path, query = ''] = (req.url ?? '/').split('?');
    const signer = new SignatureV4({
      credentials: { accessKeyId, secretAccessKey: secret },
      region,
      service,
      sha256: Sha256,
    });
    const signed = await signer.sign(
      {
        method: req.method ?? 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        path,
        query: Object.fromEntries(new URLSearchParams(query)),
        headers,
        body,
      },
      { signingDate },
    );
    const expected = /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization))?.[1];
    return { valid: expected === signature, accessKeyId };
  }
}

function usage(reply: Extract<BedrockReply, { kind: 'answer' }>) {
  const inputTokens = reply.inputTokens ?? 13;
  const outputTokens = reply.outputTokens ?? 5;
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
}
