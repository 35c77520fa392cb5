import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAiWireServer } from '../support/llm-wire/openai-wire-server.js';
import {
  PV,
  answerReply,
  sparqlReply,
  startVoicebox,
  type VoiceboxTestApp,
} from '../voicebox/voicebox-kit.js';

const DEPTS = `PREFIX pv: <${PV}>\nSELECT ?d WHERE { ?d a pv:Department }`;
type Text = { content: Array<{ type: string; text: string }>; isError?: boolean };

describe('MCP server at /mcp, with the SDK’s own client', () => {
  let wire: OpenAiWireServer;
  let t: VoiceboxTestApp;
  let url: URL;
  let client: Client;
  const connect = async (headers: Record<string, string>) => {
    const c = new Client({ name: 'test', version: '1.0.0' });
    await c.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
    return c;
  };
  beforeAll(async () => {
    wire = await OpenAiWireServer.start();
    t = await startVoicebox(wire);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    url = new URL(`http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}/mcp`);
    client = await connect({ authorization: `Bearer ${t.key}`, 'x-client-id': 'alice' });
  });
  afterAll(async () => {
    await client?.close();
    await t?.close();
    await wire?.close();
  });

  it('lists the four tools', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((x) => x.name).sort()).toEqual([
      'ask',
      'describe_schema',
      'generate_query',
      'run_query',
    ]);
  });

  it('ask answers through the pipeline with the SPARQL; generate_query returns the query', async () => {
    wire.reply(sparqlReply(DEPTS), answerReply('There are departments.'));
    const asked = (await client.callTool({
      name: 'ask',
      arguments: { question: 'Which departments are there?' },
    })) as Text;
    expect(asked.content[0].text).toBe(`There are departments.\n\n\`\`\`sparql\n${DEPTS}\n\`\`\``);
    wire.reply(sparqlReply(DEPTS));
    const q = (await client.callTool({
      name: 'generate_query',
      arguments: { question: 'Departments?' },
    })) as Text;
    expect(q.content[0].text).toBe(DEPTS);
  });

  it('run_query runs a read-only query and refuses an update; describe_schema gives the vocabulary', async () => {
    const rows = (await client.callTool({
      name: 'run_query',
      arguments: { sparql: DEPTS },
    })) as Text;
    const parsed = JSON.parse(rows.content[0].text) as { results: { bindings: unknown[] } };
    expect(parsed.results.bindings.length).toBeGreaterThan(0);
    const update = (await client.callTool({
      name: 'run_query',
      arguments: { sparql: `INSERT DATA { <urn:a> <urn:b> <urn:c> }` },
    })) as Text;
    expect(update.isError).toBe(true);
    const schema = (await client.callTool({ name: 'describe_schema', arguments: {} })) as Text;
    expect(schema.content[0].text).toContain(`<${PV}Department>`);
  });

  it('refuses a client without a valid app key', async () => {
    await expect(
      connect({ authorization: 'Bearer sdc_wrong', 'x-client-id': 'a' }),
    ).rejects.toThrow();
  });
});
