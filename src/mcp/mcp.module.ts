import { Module } from '@nestjs/common';
import { KnowledgeGraphModule } from '../knowledge-graph/knowledge-graph.module.js';
import { VoiceboxModule } from '../voicebox/voicebox.module.js';
import { McpController } from './mcp.controller.js';
import { VoiceboxMcpServerFactory } from './voicebox-mcp-server.js';

/** The MCP server at /mcp: the graph's tools for MCP clients. */
@Module({
  imports: [VoiceboxModule, KnowledgeGraphModule],
  controllers: [McpController],
  providers: [VoiceboxMcpServerFactory],
})
export class McpModule {}
