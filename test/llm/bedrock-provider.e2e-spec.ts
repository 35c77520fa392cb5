import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LlmUsageRecord } from '../../src/llm/llm-types.js';
import { BedrockWireServer } from '../support/llm-wire/bedrock-wire-server.js';
import { llmConfig, llmKit, tempDir, writeVbxConfig } from './llm-test-kit.js';

const REGION = 'us-west-2';
const ENV_KEY = { id: 'AKIAENVIRONMENTKEY01', secret: 'env-secret-access-key-0123456789abcdef' };
const PROFILE_KEY = {
  id: 'AKIAPROFILEKEY000001',
  secret: 'profile-secret-access-key-0123456789ab',
};
const ROLE_KEY = {
  id: 'ASIAROLECHAINKEY0001',
  secret: 'role-secret-access-key-0123456789abcdef',
  token: 'role-session-token-xyz',
};
const MODEL = 'us.meta.llama3-1-70b-instruct-v1:0';
const MESSAGES = [
  { role: 'system' as const, content: 'You answer about Westeros.' },
  { role: 'user' as const, content: 'Who is the Hand of the King?' },
];

describe('bedrock strategy: Converse and ConverseStream, SigV4 verified by the server', () => {
  let wire: BedrockWireServer;
  let file: string;
  beforeAll(async () => {
    wire = await BedrockWireServer.start(
      {
        [ENV_KEY.id]: ENV_KEY.secret,
        [PROFILE_KEY.id]: PROFILE_KEY.secret,
        [ROLE_KEY.id]: ROLE_KEY.secret,
      },
      REGION,
    );
    file = writeVbxConfig({
      default_llm_config: llmConfig('bedrock', MODEL, {
        server_url: wire.url,
        max_tokens: 256,
        temperature: 0.1,
        provider_args: { headers: { 'X-Voicebox-User': '$VOICEBOX_USER' } },
      }),
    });
  });
  afterAll(() => wire.close());
  beforeEach(() => {
    wire.requests.length = 0;
  });

  const envKit = (secret = ENV_KEY.secret) =>
    llmKit({
      AWS_ACCESS_KEY_ID: ENV_KEY.id,
      AWS_SECRET_ACCESS_KEY: secret,
      BEDROCK_REGION: REGION,
      VBX_CONFIG_FILE: file,
    });

  it('signs Converse with the environment keys and maps messages, system and inference config', async () => {
    const { registry, metrics } = envKit();
    const usages: LlmUsageRecord[] = [];
    const res = await registry
      .get('default')
      .complete({ messages: MESSAGES }, { user: 'bob', onUsage: (u) => usages.push(u) });
    expect(res.text).toBe('Hello from loopback Bedrock');
    expect(res.usage).toEqual({ promptTokens: 13, completionTokens: 5 });
    const [req] = wire.requests;
    expect(req.signatureValid).toBe(true);
    expect(req.accessKeyId).toBe(ENV_KEY.id);
    expect(req.path).toBe(`/model/${encodeURIComponent(MODEL)}/converse`);
    expect(req.modelId).toBe(MODEL);
    expect(req.headers['x-voicebox-user']).toBe('bob');
    expect(String(req.headers.authorization)).toMatch(/SignedHeaders=[^,]*x-voicebox-user/);
    expect(req.body).toEqual({
      messages: [{ role: 'user', content: [{ text: 'Who is the Hand of the King?' }] }],
      system: [{ text: 'You answer about Westeros.' }],
      inferenceConfig: { maxTokens: 256, temperature: 0.1 },
    });
    expect(usages[0]).toMatchObject({ provider: 'bedrock', model: MODEL, promptTokens: 13 });
    expect(await metrics.registry.metrics()).toContain(
      `voicebox_llm_tokens_total{provider="bedrock",model="${MODEL}",kind="completion"} 5`,
    );
  });

  it('streams ConverseStream event frames into text deltas and the final usage', async () => {
    const { registry } = envKit();
    wire.reply({ kind: 'answer', text: 'Jon Arryn, then Eddard Stark.', outputTokens: 8 });
    let text = '';
    let usage;
    for await (const e of registry.get('default').stream({ messages: MESSAGES })) {
      if (e.type === 'text') text += e.text;
      else usage = e.usage;
    }
    expect(text).toBe('Jon Arryn, then Eddard Stark.');
    expect(usage).toEqual({ promptTokens: 13, completionTokens: 8 });
    expect(wire.requests[0].path).toBe(`/model/${encodeURIComponent(MODEL)}/converse-stream`);
    expect(wire.requests[0].signatureValid).toBe(true);
  });

  it('is refused with 403 when signed with a wrong secret, surfaced as 502 without the secret', async () => {
    const wrong = 'wrong-secret-access-key-000000000000000';
    const { registry, logs } = envKit(wrong);
    const err = await registry
      .get('default')
      .complete({ messages: MESSAGES })
      .catch((e: unknown) => e as Error);
    expect(wire.requests[0].signatureValid).toBe(false);
    expect(err).toMatchObject({
      kind: 'dependency_failed',
      code: 'llm.provider_error',
      details: { provider_status: 403 },
    });
    expect(wire.requests).toHaveLength(1);
    expect(logs.text).toMatch(/InvalidSignatureException/);
    expect(logs.text).not.toContain(wrong);
  });

  it('retries a ThrottlingException (429) and succeeds', async () => {
    const { registry } = envKit();
    wire.reply({
      kind: 'error',
      status: 429,
      errorType: 'ThrottlingException',
      message: 'slow down',
    });
    const res = await registry.get('default').complete({ messages: MESSAGES });
    expect(res.text).toBe('Hello from loopback Bedrock');
    expect(wire.requests).toHaveLength(2);
  });

  it('aborts a call that outlives the deadline with 504; the server sees the stream closed', async () => {
    const { registry } = llmKit(
      {
        AWS_ACCESS_KEY_ID: ENV_KEY.id,
        AWS_SECRET_ACCESS_KEY: ENV_KEY.secret,
        BEDROCK_REGION: REGION,
        VBX_CONFIG_FILE: file,
      },
      { timeoutMs: 300 },
    );
    wire.reply({ kind: 'hang' });
    const err = await registry
      .get('default')
      .complete({ messages: MESSAGES })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'dependency_timeout', code: 'llm.timeout' });
    for (let i = 0; i < 50 && !wire.requests[0].clientClosed; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(wire.requests[0].clientClosed).toBe(true);
  });

  describe('with shared files and the default chain', () => {
    const saved: Record<string, string | undefined> = {};
    const NAMES = [
      'AWS_SHARED_CREDENTIALS_FILE',
      'AWS_CONFIG_FILE',
      'AWS_PROFILE',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
      'AWS_EC2_METADATA_DISABLED',
    ];
    beforeEach(() => {
      for (const name of NAMES) {
        saved[name] = process.env[name];
        delete process.env[name];
      }
      const dir = tempDir();
      const credentials = join(dir, 'credentials');
      writeFileSync(
        credentials,
        `[vbx-loopback]\naws_access_key_id = ${PROFILE_KEY.id}\naws_secret_access_key = ${PROFILE_KEY.secret}\n`,
      );
      // The SDK locates the shared files itself; point it at the temp file.
      process.env.AWS_SHARED_CREDENTIALS_FILE = credentials;
      process.env.AWS_CONFIG_FILE = join(dir, 'config');
      // No instance metadata service here: the chain must not wait for one.
      process.env.AWS_EC2_METADATA_DISABLED = 'true';
    });
    afterEach(() => {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });

    it('BEDROCK_PROFILE: signs with the profile key', async () => {
      const { registry } = llmKit({
        BEDROCK_PROFILE: 'vbx-loopback',
        BEDROCK_REGION: REGION,
        VBX_CONFIG_FILE: file,
      });
      await registry.get('default').complete({ messages: MESSAGES });
      expect(wire.requests[0].signatureValid).toBe(true);
      expect(wire.requests[0].accessKeyId).toBe(PROFILE_KEY.id);
    });

    it('no keys and no profile: the default chain obtains role credentials (container endpoint)', async () => {
      const endpoint = createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            AccessKeyId: ROLE_KEY.id,
            SecretAccessKey: ROLE_KEY.secret,
            Token: ROLE_KEY.token,
            Expiration: new Date(Date.now() + 3600_000).toISOString(),
          }),
        );
      });
      await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r));
      try {
        const port = (endpoint.address() as AddressInfo).port;
        process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `http://127.0.0.1:${port}/role-credentials`;
        const { registry } = llmKit({ BEDROCK_REGION: REGION, VBX_CONFIG_FILE: file });
        await registry.get('default').complete({ messages: MESSAGES });
        const [req] = wire.requests;
        expect(req.signatureValid).toBe(true);
        expect(req.accessKeyId).toBe(ROLE_KEY.id);
        expect(req.headers['x-amz-security-token']).toBe(ROLE_KEY.token);
      } finally {
        endpoint.closeAllConnections();
        await new Promise((r) => endpoint.close(r));
      }
    });
  });

  it('refuses to start without BEDROCK_REGION, and with half a key pair, naming the variables', () => {
    expect(() => llmKit({ AWS_ACCESS_KEY_ID: ENV_KEY.id, VBX_CONFIG_FILE: file })).toThrow(
      /BEDROCK_REGION: is required for default_llm_config \(llm_provider "bedrock"\); AWS_SECRET_ACCESS_KEY: is required with AWS_ACCESS_KEY_ID/,
    );
  });
});
