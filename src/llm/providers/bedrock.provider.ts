import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  type ContentBlock,
  type ConverseCommandInput,
  type Message,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { LlmConfig } from '../../config/app-config.js';
import type {
  LlmProvider,
  LlmProviderDefinition,
  MissingCredential,
  ProviderCall,
  ProviderFailure,
  ProviderEnvironment,
  ProviderRequest,
} from '../llm-provider.js';
import { parseRetryAfter } from '../llm-provider.js';
import type { LlmCompletion, LlmStreamEvent } from '../llm-types.js';

interface SdkError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

/**
 * Amazon Bedrock through the Converse API, which speaks one message format for every model family.
 * Credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, else the BEDROCK_PROFILE of the shared
 * files, else the SDK's default chain (SSO, web identity, ECS, instance role).
 */
export class BedrockProvider implements LlmProvider {
  private readonly client: BedrockRuntimeClient;

  constructor(
    private readonly cfg: LlmConfig,
    env: ProviderEnvironment,
  ) {
    const c = env.credentials;
    this.client = new BedrockRuntimeClient({
      region: c.bedrockRegion,
      ...(cfg.serverUrl ? { endpoint: cfg.serverUrl } : {}),
      ...(c.awsAccessKeyId && c.awsSecretAccessKey
        ? { credentials: { accessKeyId: c.awsAccessKeyId, secretAccessKey: c.awsSecretAccessKey } }
        : c.bedrockProfile
          ? { profile: c.bedrockProfile }
          : {}),
      // Our policy retries every provider alike.
      maxAttempts: 1,
      // HTTP/1.1, not the SDK's default HTTP/2: on abort the HTTP/2 handler rejects but leaves the
      // stream open on a shared session (the model keeps generating for nobody), while this one
      // destroys the request. Converse and ConverseStream need no HTTP/2.
      requestHandler: new NodeHttpHandler({ connectionTimeout: 10_000 }),
    });
  }

  async complete(req: ProviderRequest, call: ProviderCall): Promise<LlmCompletion> {
    const command = new ConverseCommand(this.input(req));
    addHeaders(command, call.headers);
    const res = await this.client.send(command, { abortSignal: call.signal });
    const text = (res.output?.message?.content ?? []).map((b) => b.text ?? '').join('');
    return {
      text,
      finishReason: res.stopReason,
      usage: {
        promptTokens: res.usage?.inputTokens ?? 0,
        completionTokens: res.usage?.outputTokens ?? 0,
      },
    };
  }

  async *stream(req: ProviderRequest, call: ProviderCall): AsyncIterable<LlmStreamEvent> {
    const command = new ConverseStreamCommand(this.input(req));
    addHeaders(command, call.headers);
    const res = await this.client.send(command, { abortSignal: call.signal });
    let usage = { promptTokens: 0, completionTokens: 0 };
    let finishReason: string | undefined;
    for await (const event of res.stream ?? []) {
      const text = event.contentBlockDelta?.delta?.text;
      if (text) yield { type: 'text', text };
      if (event.messageStop?.stopReason) finishReason = event.messageStop.stopReason;
      const u = event.metadata?.usage;
      if (u) usage = { promptTokens: u.inputTokens ?? 0, completionTokens: u.outputTokens ?? 0 };
      // Errors inside the stream arrive as events, not as HTTP statuses.
      const streamError =
        event.internalServerException ??
        event.modelStreamErrorException ??
        event.serviceUnavailableException ??
        event.throttlingException ??
        event.validationException;
      if (streamError) throw streamError;
    }
    yield { type: 'done', usage, finishReason };
  }

  classify(err: unknown): ProviderFailure {
    const e = (err ?? {}) as SdkError;
    if (e.name === 'AbortError') return { kind: 'aborted' };
    const status = e.$metadata?.httpStatusCode;
    if (typeof status === 'number') {
      const headers = e.$response?.headers ?? {};
      return {
        kind: 'http',
        status,
        retryAfterMs: parseRetryAfter((n) => headers[n]),
        message: `${e.name ?? 'Error'}: ${e.message ?? ''}`,
      };
    }
    if (e.name === 'ThrottlingException')
      return { kind: 'http', status: 429, message: e.message ?? '' };
    if (e.name === 'CredentialsProviderError') {
      return { kind: 'invalid_setup', message: e.message ?? 'no AWS credentials' };
    }
    return { kind: 'connection', message: `${e.name ?? 'Error'}: ${e.message ?? String(err)}` };
  }

  private input(req: ProviderRequest): ConverseCommandInput {
    const system = req.messages
      .filter((m) => m.role === 'system')
      .map((m) => ({ text: m.content }));
    const messages: Message[] = [];
    for (const m of req.messages) {
      if (m.role === 'system') continue;
      const block: ContentBlock = { text: m.content };
      // Converse requires alternating roles: merge consecutive turns of the same speaker.
      const last = messages.at(-1);
      if (last?.role === m.role) last.content = [...(last.content ?? []), block];
      else messages.push({ role: m.role, content: [block] });
    }
    return {
      modelId: this.cfg.model,
      messages,
      ...(system.length ? { system } : {}),
      inferenceConfig: {
        maxTokens: req.maxTokens,
        ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
      },
    };
  }
}

type BuildArgs = { request: unknown };
/** The one overload of the SDK's middleware stack used here, free of the command's types. */
interface HeaderStack {
  add(
    middleware: (
      next: (args: BuildArgs) => Promise<unknown>,
    ) => (args: BuildArgs) => Promise<unknown>,
    options: { step: 'build'; name: string },
  ): void;
}

/** Templated headers are added before signing, so they are covered by the SigV4 signature. */
function addHeaders(
  command: ConverseCommand | ConverseStreamCommand,
  headers: Record<string, string>,
): void {
  if (Object.keys(headers).length === 0) return;
  (command.middlewareStack as unknown as HeaderStack).add(
    (next) => (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) Object.assign(request.headers, headers);
      return next(args);
    },
    { step: 'build', name: 'voiceboxTemplatedHeaders' },
  );
}

export const bedrockProvider: LlmProviderDefinition = {
  missingCredentials: (_cfg, env) => {
    const c = env.credentials;
    const missing: MissingCredential[] = [];
    if (!c.bedrockRegion) missing.push({ variable: 'BEDROCK_REGION', reason: 'is required' });
    if (c.awsAccessKeyId && !c.awsSecretAccessKey) {
      missing.push({
        variable: 'AWS_SECRET_ACCESS_KEY',
        reason: 'is required with AWS_ACCESS_KEY_ID',
      });
    }
    if (!c.awsAccessKeyId && c.awsSecretAccessKey) {
      missing.push({
        variable: 'AWS_ACCESS_KEY_ID',
        reason: 'is required with AWS_SECRET_ACCESS_KEY',
      });
    }
    return missing;
  },
  create: (cfg, env) => new BedrockProvider(cfg, env),
};
