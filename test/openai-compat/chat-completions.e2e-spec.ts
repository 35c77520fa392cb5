import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OpenAiWireServer } from '../support/llm-wire/openai-wire-server.js';
import {
  KAREN,
  PV,
  answerReply,
  promptsOf,
  sparqlReply,
  startVoicebox,
  type VoiceboxTestApp,
  TEST_APP_NAME,
} from '../voicebox/voicebox-kit.js';

const DEPT_QUERY = `PREFIX pv: <${PV}>
SELECT DISTINCT ?dept WHERE { <${KAREN}> pv:memberOf ?dept . }`;

describe('OpenAI-compatible face, with the official openai SDK as the client', () => {
  let wire: OpenAiWireServer;
  let t: VoiceboxTestApp;
  let client: OpenAI;
  let base: string;
  beforeAll(async () => {
    wire = await OpenAiWireServer.start();
    t = await startVoicebox(wire);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}/v1`;
    client = new OpenAI({ apiKey: t.key, baseURL: base, maxRetries: 0 });
  });
  afterAll(async () => {
    await t?.close();
    await wire?.close();
  });
  afterEach(() => wire.reset());

  it('lists the key’s app as the one model', async () => {
    const models = [];
    for await (const m of client.models.list()) models.push(m);
    expect(models.map((m) => m.id)).toEqual([TEST_APP_NAME]);
  });

  it('answers the last user message with the SPARQL in a fenced block; sampling fields are accepted', async () => {
    wire.reply(sparqlReply(DEPT_QUERY), answerReply('Ms. Brant works in Marketing.'));
    const completion = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: 'In which department is Ms. Brant?' },
      ],
      temperature: 0.2,
      top_p: 1,
      max_tokens: 500,
      n: 1,
      stop: ['\n\n\n'],
      presence_penalty: 0,
      frequency_penalty: 0,
      user: 'alice',
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe(TEST_APP_NAME);
    const content = completion.choices[0].message.content!;
    expect(content).toBe(`Ms. Brant works in Marketing.\n\n\`\`\`sparql\n${DEPT_QUERY}\n\`\`\``);
    expect(completion.choices[0].finish_reason).toBe('stop');
    // The system message of the client is not given to the pipeline's prompts.
    expect(promptsOf(wire).join('\n')).not.toContain('You are a helpful assistant.');
  });

  it('gives the earlier messages to the pipeline as the conversation', async () => {
    wire.reply(
      answerReply('Who else works in the department of Ms. Brant?'),
      sparqlReply(DEPT_QUERY),
      answerReply('Several people.'),
    );
    const completion = await client.chat.completions.create({
      model: TEST_APP_NAME,
      messages: [
        { role: 'user', content: 'In which department is Ms. Brant?' },
        {
          role: 'assistant',
          content: 'Ms. Brant works in Marketing.\n\n```sparql\nSELECT * WHERE { ?s ?p ?o }\n```',
        },
        { role: 'user', content: [{ type: 'text', text: 'Who else works there?' }] },
      ],
      user: 'alice',
    });
    expect(completion.choices[0].message.content).toMatch(/^Several people\./);
    // The first call rewrites the follow-up with the earlier turn (the SPARQL block left out).
    const rewrite = promptsOf(wire)[0];
    expect(rewrite).toContain('Q: In which department is Ms. Brant?');
    expect(rewrite).toContain('A: Ms. Brant works in Marketing.');
    expect(rewrite).not.toContain('SELECT * WHERE');
    expect(rewrite).toContain('Follow-up question: Who else works there?');
  });

  it('streams the answer as chunks ending with the SPARQL, with usage when asked', async () => {
    wire.reply(
      sparqlReply(DEPT_QUERY),
      answerReply('Ms. Brant works in the Marketing department.'),
    );
    const stream = await client.chat.completions.create({
      model: TEST_APP_NAME,
      messages: [{ role: 'user', content: 'In which department is Ms. Brant?' }],
      stream: true,
      stream_options: { include_usage: true },
      user: 'alice',
    });
    let text = '';
    const finishes: Array<string | null> = [];
    let chunks = 0;
    let usage = false;
    for await (const chunk of stream) {
      chunks++;
      expect(chunk.object).toBe('chat.completion.chunk');
      if (chunk.usage) usage = true;
      for (const c of chunk.choices) {
        text += c.delta.content ?? '';
        finishes.push(c.finish_reason);
      }
    }
    expect(text).toBe(
      `Ms. Brant works in the Marketing department.\n\n\`\`\`sparql\n${DEPT_QUERY}\n\`\`\``,
    );
    expect(chunks).toBeGreaterThan(3);
    expect(finishes.at(-1)).toBe('stop');
    expect(usage).toBe(true);
  });

  it('takes the end user from X-Client-Id, else from `user`; neither is a 400 naming both', async () => {
    const noUser = new OpenAI({ apiKey: t.key, baseURL: base, maxRetries: 0 });
    const err = await noUser.chat.completions
      .create({ model: 'x', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(
      /X-Client-Id.*`user`/,
    );
    wire.reply(sparqlReply(DEPT_QUERY), answerReply('Marketing.'));
    const withHeader = new OpenAI({
      apiKey: t.key,
      baseURL: base,
      maxRetries: 0,
      defaultHeaders: { 'X-Client-Id': 'bob' },
    });
    const ok = await withHeader.chat.completions.create({
      model: 'x',
      messages: [{ role: 'user', content: 'In which department is Ms. Brant?' }],
    });
    expect(ok.choices[0].message.content).toMatch(/^Marketing\./);
  });

  it('refuses a wrong key with 401, and a conversation not ending with a user message with 400', async () => {
    const bad = new OpenAI({ apiKey: 'sdc_not-a-key', baseURL: base, maxRetries: 0 });
    await expect(
      bad.chat.completions.create({
        model: 'x',
        messages: [{ role: 'user', content: 'Hi' }],
        user: 'a',
      }),
    ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const err = await client.chat.completions
      .create({ model: 'x', messages: [{ role: 'assistant', content: 'Hello' }], user: 'a' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(String((err as Error).message)).toMatch(/messages/);
  });
});
