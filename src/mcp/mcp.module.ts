import { Module } from '@nestjs/common';
import { GatewayModule, VOICEBOX_FORWARDER } from '../gateway/gateway.module.js';
import type { ForwardingVoiceboxBackend } from '../gateway/forwarding-voicebox-backend.js';
import { KnowledgeGraphModule } from '../knowledge-graph/knowledge-graph.module.js';
import { VoiceboxModule } from '../voicebox/voicebox.module.js';
import { ForwardedMcpEndpoint } from './forwarded-mcp-endpoint.js';
import { LocalMcpEndpoint, McpEndpoint } from './mcp-endpoint.js';
import { McpController } from './mcp.controller.js';
import { VoiceboxMcpServerFactory } from './voicebox-mcp-server.js';

/**
 * The MCP server at /mcp: the graph's tools for MCP clients. In a split deployment the gateway
 * forwards each message to the Voicebox Service, like the voicebox routes.
 */
@Module({
  imports: [VoiceboxModule, KnowledgeGraphModule, GatewayModule],
  controllers: [McpController],
  providers: [
    VoiceboxMcpServerFactory,
    LocalMcpEndpoint,
    {
      provide: McpEndpoint,
      inject: [VOICEBOX_FORWARDER, LocalMcpEndpoint],
      useFactory: (forwarder: ForwardingVoiceboxBackend | null, local: LocalMcpEndpoint) =>
        forwarder ? new ForwardedMcpEndpoint(forwarder) : local,
    },
  ],
})
export class McpModule {}
