import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GoogleStsWireServer } from '../support/llm-wire/google-sts-wire-server.js';
import { OpenAiWireServer } from '../support/llm-wire/openai-wire-server.js';
import { llmConfig, llmKit, tempDir, writeVbxConfig } from './llm-test-kit.js';

const MESSAGES = [{ role: 'user' as const, content: 'Who rules Winterfell?' }];

describe('vertex strategy: workload identity token exchange, then the chat call', () => {
  let wire: OpenAiWireServer;
  let sts: GoogleStsWireServer;
  let credentialsFile: string;
  const subjectToken = 'eyJhbGciOiJSUzI1NiJ9.subject-token-from-the-platform.sig';

  beforeAll(async () => {
    [wire, sts] = await Promise.all([OpenAiWireServer.start(), GoogleStsWireServer.start()]);
    const dir = tempDir();
    const subjectFile = join(dir, 'subject-token');
    writeFileSync(subjectFile, subjectToken);
    credentialsFile = join(dir, 'external-account.json');
    writeFileSync(
      credentialsFile,
      JSON.stringify({
        type: 'external_account',
        audience:
          '//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/vbx/providers/loopback',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        token_url: sts.tokenUrl,
        credential_source: { file: subjectFile },
      }),
    );
  });
  afterAll(() => Promise.all([wire.close(), sts.close()]));

  it('exchanges the subject token at token_url and sends the access token to the Vertex route', async () => {
    const { registry } = llmKit({
      GOOGLE_APPLICATION_CREDENTIALS: credentialsFile,
      VBX_CONFIG_FILE: writeVbxConfig({
        default_llm_config: llmConfig('vertex', 'meta/llama-3.3-70b-instruct-maas', {
          server_url: `${wire.url}/v1/projects/my-project/locations/us-east5/endpoints/openapi`,
          provider_args: { project: 'my-project', region: 'us-east5' },
        }),
      }),
    });
    const res = await registry.get('default').complete({ messages: MESSAGES });
    expect(res.text).toBe(wire.defaultText);

    expect(sts.exchanges).toHaveLength(1);
    expect(sts.exchanges[0]).toMatchObject({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: subjectToken,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      scope: 'https://www.googleapis.com/auth/cloud-platform',
    });
    const [req] = wire.requests;
    expect(req.path).toBe(
      '/v1/projects/my-project/locations/us-east5/endpoints/openapi/chat/completions',
    );
    expect(req.headers.authorization).toBe(`Bearer ${sts.tokenNumber(1)}`);
    expect(req.body.model).toBe('meta/llama-3.3-70b-instruct-maas');

    // The access token is cached: a second call does not exchange again.
    await registry.get('default').complete({ messages: MESSAGES });
    expect(sts.exchanges).toHaveLength(1);
    expect(wire.requests[1].headers.authorization).toBe(`Bearer ${sts.tokenNumber(1)}`);
  });

  it('answers 502 llm.credentials, without calling the model, when the token exchange is refused', async () => {
    const dir = tempDir();
    const emptySubject = join(dir, 'empty-subject-token');
    writeFileSync(emptySubject, '');
    const badCredentials = join(dir, 'external-account.json');
    writeFileSync(
      badCredentials,
      JSON.stringify({
        type: 'external_account',
        audience:
          '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/x/providers/y',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        token_url: sts.tokenUrl,
        credential_source: { file: emptySubject },
      }),
    );
    const { registry } = llmKit({
      GOOGLE_APPLICATION_CREDENTIALS: badCredentials,
      LLM_MAX_RETRIES: '0',
      VBX_CONFIG_FILE: writeVbxConfig({
        default_llm_config: llmConfig('vertex', 'meta/llama-3.3-70b-instruct-maas', {
          server_url: wire.url,
          provider_args: { project: 'my-project' },
        }),
      }),
    });
    const before = wire.requests.length;
    const err = await registry
      .get('default')
      .complete({ messages: MESSAGES })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'dependency_failed', code: 'llm.credentials' });
    expect(wire.requests.length).toBe(before);
  });

  it('refuses to start without GOOGLE_APPLICATION_CREDENTIALS, naming it', () => {
    expect(() =>
      llmKit({
        VBX_CONFIG_FILE: writeVbxConfig({
          default_llm_config: llmConfig('vertex', 'meta/llama-3.3-70b-instruct-maas', {
            provider_args: { project: 'my-project' },
          }),
        }),
      }),
    ).toThrow(
      /GOOGLE_APPLICATION_CREDENTIALS: is required for default_llm_config \(llm_provider "vertex"\)/,
    );
  });
});
