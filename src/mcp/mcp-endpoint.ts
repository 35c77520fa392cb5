import { Injectable } from '@nestjs/common';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestAudit } from '../observability/request-audit.js';
import type { AppKeyIdentity } from '../voicebox/ask-types.js';
import { VoiceboxMcpServerFactory } from './voicebox-mcp-server.js';

/** One MCP POST as the controller received it (authenticated, body parsed). */
export interface McpCall {
  body: unknown;
  identity: AppKeyIdentity;
  audit: RequestAudit;
  request: FastifyRequest;
  reply: FastifyReply;
}

/**
 * Who answers /mcp: this process's tools (LocalMcpEndpoint), or, in a split deployment, the Voicebox
 * Service's /mcp through the gateway's forwarder (ForwardedMcpEndpoint). Bound by McpModule.
 */
export abstract class McpEndpoint {
  /** Writes the JSON-RPC answer (or the 202 of a notification) to `call.reply`. */
  abstract handle(call: McpCall): Promise<void>;
}

/** The SDK's stateless streamable-HTTP transport in front of a server bound to the caller. */
@Injectable()
export class LocalMcpEndpoint extends McpEndpoint {
  constructor(private readonly servers: VoiceboxMcpServerFactory) {
    super();
  }

  async handle({ body, identity, audit, request, reply }: McpCall): Promise<void> {
    const server = this.servers.create(identity, audit);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    reply.raw.on('close', () => {
      void transport.close();
      void server.close();
    });
    reply.hijack();
    await transport.handleRequest(request.raw, reply.raw, body);
  }
}
