import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { claimsOf } from '../support/idp/token-exchange-server.js';
import { PUBLIC_API, SERVICE_API } from '../token-exchange/exchange-kit.js';
import { KAREN_DEPT_QUERY, answerReply, sparqlReply } from '../voicebox/voicebox-kit.js';
import { SERVICE_SCOPE, startSplitDeployment, urlOf, type SplitDeployment } from './split-kit.js';

const QUESTION = 'In which department is Ms. Brant?';
type Text = { content: Array<{ type: string; text: string }>; isError?: boolean };

/**
 * The other faces in a split deployment: the gateway (no LLM configured: run locally, these routes
 * would answer 503 llm.not_configured) forwards /v1/chat/completions and /mcp to the Voicebox Service
 * through a recording relay, with the user's exchanged token, the app key and the end user, and the
 * clients people use — the openai SDK, the MCP SDK — work against the gateway unchanged.
 */
describe('split deployment: the OpenAI-compatible face and MCP through the gateway', () => {
  let split: SplitDeployment;
  beforeAll(async () => {
    split = await startSplitDeployment();
  });
  afterAll(() => split?.close());
  afterEach(() => {
    split.wire.reset();
    split.relay.reset();
  });

  const openai = async (user: string) =>
    new OpenAI({
      apiKey: await split.as.issueUserToken(user, PUBLIC_API, 'voicebox:read'),
      baseURL: `${urlOf(split.gateway)}/v1`,
      maxRetries: 0,
      defaultHeaders: { 'X-Voicebox-App-Key': split.backend.key, 'X-Client-Id': 'chat-ui' },
    });

  /** What reached the Voicebox Service: one request to `path`, as the user, for this app. */
  const expectForwarded = (path: string, user: string) => {
    expect(split.relay.requests.length).toBeGreaterThan(0);
    for (const sent of split.relay.requests) {
      expect(sent.path).toBe(path);
      const token = /^Bearer (.+)$/.exec(String(sent.headers.authorization))![1];
      expect(claimsOf(token)).toMatchObject({ sub: user, aud: SERVICE_API, scp: [SERVICE_SCOPE] });
      expect(sent.headers['x-voicebox-app-key']).toBe(split.backend.key);
    }
  };

  it('forwards a chat completion with its whole message list; the SDK reads the answer', async () => {
    const client = await openai('alice');
    split.wire.reply(sparqlReply(KAREN_DEPT_QUERY), answerReply('Ms. Brant works in Marketing.'));
    const messages = [
      { role: 'system' as const, content: 'You are a helpful assistant.' },
      { role: 'user' as const, content: QUESTION },
    ];
    const completion = await client.chat.completions.create({ model: 'voicebox', messages });
    expect(completion.choices[0].message.content).toBe(
      `Ms. Brant works in Marketing.\n\n\`\`\`sparql\n${KAREN_DEPT_QUERY.trim()}\n\`\`\``,
    );
    expectForwarded('/v1/chat/completions', 'alice');
    expect(split.relay.requests).toHaveLength(1);
    expect(JSON.parse(split.relay.requests[0].body)).toMatchObject({ messages });
    expect(split.relay.requests[0].headers['x-client-id']).toBe('chat-ui');
    // The Voicebox Service did the work: its audit names the user and the answer.
    const beAudit = split.backend.logs
      .json()
      .find((l) => l.msg === 'audit' && l.subject === 'alice');
    expect(beAudit).toMatchObject({ client_id: 'chat-ui', ask_outcome: 'answered' });
  });

  it('relays a streamed chat completion as server-sent events, as they come', async () => {
    const client = await openai('bob');
    split.wire.reply(sparqlReply(KAREN_DEPT_QUERY), answerReply('Ms. Brant works in Marketing.'));
    const stream = await client.chat.completions.create({
      model: 'voicebox',
      messages: [{ role: 'user', content: QUESTION }],
      stream: true,
    });
    const deltas: string[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content) deltas.push(choice.delta.content);
      if (choice?.finish_reason) finish = choice.finish_reason;
    }
    expect(deltas.join('')).toBe(
      `Ms. Brant works in Marketing.\n\n\`\`\`sparql\n${KAREN_DEPT_QUERY.trim()}\n\`\`\``,
    );
    expect(finish).toBe('stop');
    expectForwarded('/v1/chat/completions', 'bob');
    expect(split.relay.requests[0].headers.accept).toBe('text/event-stream');
  });

  it("passes the Voicebox Service's 400 through in OpenAI's error shape", async () => {
    const client = await openai('carol');
    const err = await client.chat.completions
      .create({ model: 'voicebox', messages: [{ role: 'system', content: 'no question here' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/message/i);
    expectForwarded('/v1/chat/completions', 'carol');
  });

  it('forwards MCP: the SDK client lists the tools and asks through the gateway', async () => {
    const client = new Client({ name: 'test', version: '1.0.0' });
    const user = await split.as.issueUserToken('dave', PUBLIC_API, 'voicebox:read');
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${urlOf(split.gateway)}/mcp`), {
        requestInit: {
          headers: {
            authorization: `Bearer ${user}`,
            'x-voicebox-app-key': split.backend.key,
            'x-client-id': 'mcp-client',
          },
        },
      }),
    );
    try {
      const { tools } = await client.listTools();
      expect(tools.map((x) => x.name).sort()).toEqual([
        'ask',
        'describe_schema',
        'generate_query',
        'run_query',
      ]);
      split.wire.reply(sparqlReply(KAREN_DEPT_QUERY), answerReply('Ms. Brant works in Marketing.'));
      const asked = (await client.callTool({
        name: 'ask',
        arguments: { question: QUESTION },
      })) as Text;
      expect(asked.isError).toBeFalsy();
      expect(asked.content[0].text).toContain('Ms. Brant works in Marketing.');
      expectForwarded('/mcp', 'dave');
      // initialize, the initialized notification (202, no body), tools/list, tools/call.
      expect(split.relay.requests.length).toBeGreaterThanOrEqual(4);
      expect(split.wire.requests.length).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  });
});
