import { Injectable } from '@nestjs/common';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { ConnectionsService } from '../apps/connections.service.js';
import { DomainError } from '../common/errors/domain-error.js';
import { KnowledgeGraphService } from '../knowledge-graph/knowledge-graph.service.js';
import type { RequestAudit } from '../observability/request-audit.js';
import { kgTargetOf } from '../voicebox/app-kg-target.js';
import { AskPipeline } from '../voicebox/ask-pipeline.js';
import type { AskAnswer, AppKeyIdentity } from '../voicebox/ask-types.js';
import { WholeSchemaRetriever } from '../voicebox/grounding/schema-retriever.js';
import { SERVICE_VERSION } from '../bootstrap/version.js';

/** Results of run_query given back to the client, as SPARQL JSON text. */
const RUN_QUERY_MAX_CHARS = 100_000;

type ToolResult = { content: Array<{ type: 'text'; text: string }>; isError?: boolean };

const text = (t: string, isError = false): ToolResult => ({
  content: [{ type: 'text', text: t }],
  ...(isError ? { isError } : {}),
});

function answerText(a: AskAnswer): string {
  const sparql = a.actions.find((x) => x.type === 'sparql')?.value;
  return typeof sparql === 'string' ? `${a.result}\n\n\`\`\`sparql\n${sparql}\n\`\`\`` : a.result;
}

/** A domain error is the tool's answer (the client's model reads it); anything else propagates. */
async function tool(work: () => Promise<string>): Promise<ToolResult> {
  try {
    return text(await work());
  } catch (err) {
    if (err instanceof DomainError) return text(`${err.code}: ${err.message}`, true);
    throw err;
  }
}

/**
 * The MCP tools over the graph of the caller's app: ask, generate_query, run_query (through the
 * read-only gate and the limits of KnowledgeGraphService) and describe_schema. One server per
 * request, bound to the caller's identity (the transport is stateless).
 */
@Injectable()
export class VoiceboxMcpServerFactory {
  constructor(
    private readonly pipeline: AskPipeline,
    private readonly kg: KnowledgeGraphService,
    private readonly connections: ConnectionsService,
  ) {}

  create(identity: AppKeyIdentity, audit?: RequestAudit): McpServer {
    const server = new McpServer({ name: 'voicebox', version: SERVICE_VERSION });
    const target = async () =>
      kgTargetOf(identity.app, await this.connections.resolve(identity.app.connectionId));
    const kgCtx = { sdAuthToken: identity.sdAuthToken, requestUser: identity.clientId };
    server.registerTool(
      'ask',
      {
        description: `Answer a question from the knowledge graph of the app "${identity.app.name}": a cited markdown answer, then the SPARQL used.`,
        inputSchema: {
          question: z.string().min(1).max(4000),
          conversation_id: z.string().uuid().optional(),
        },
      },
      ({ question, conversation_id }) =>
        tool(async () =>
          answerText(
            await this.pipeline.ask({ question, conversationId: conversation_id, identity, audit }),
          ),
        ),
    );
    server.registerTool(
      'generate_query',
      {
        description: 'Write (and validate) the SPARQL query for a question, without running it.',
        inputSchema: { question: z.string().min(1).max(4000) },
      },
      ({ question }) =>
        tool(async () => (await this.pipeline.generateQuery({ question, identity, audit })).result),
    );
    server.registerTool(
      'run_query',
      {
        description:
          'Run a read-only SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) on the graph; updates are refused. Results are capped.',
        inputSchema: { sparql: z.string().min(1).max(100_000) },
      },
      ({ sparql }) =>
        tool(async () => {
          const r = await this.kg.query(await target(), sparql, kgCtx);
          const out =
            r.form === 'SELECT'
              ? JSON.stringify({ head: r.head, results: r.results, truncated: r.truncated })
              : r.form === 'ASK'
                ? JSON.stringify({ boolean: r.boolean })
                : r.text;
          return out.length > RUN_QUERY_MAX_CHARS
            ? `${out.slice(0, RUN_QUERY_MAX_CHARS)}\n… (cut at ${RUN_QUERY_MAX_CHARS} characters)`
            : out;
        }),
    );
    server.registerTool(
      'describe_schema',
      {
        description: 'The classes and properties of the graph, with labels, domains and ranges.',
        inputSchema: {},
      },
      () =>
        tool(async () => {
          const schema = await this.kg.schema(await target(), kgCtx);
          return new WholeSchemaRetriever().retrieve({
            question: '',
            schema,
            entities: [],
            budgetTokens: 50_000,
          }).text;
        }),
    );
    return server;
  }
}
