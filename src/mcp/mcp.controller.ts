import { Body, Controller, Delete, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentIdentity } from '../auth/current-identity.decorator.js';
import type { Identity } from '../auth/identity.js';
import { DomainError } from '../common/errors/domain-error.js';
import { VoiceboxAuth } from '../common/http/route-policy.decorators.js';
import { Audit, type RequestAudit } from '../observability/request-audit.js';
import { McpEndpoint } from './mcp-endpoint.js';

/** MCP over streamable HTTP, stateless: each POST is one JSON-RPC exchange, answered as JSON. */
@ApiTags('mcp')
@Controller('mcp')
export class McpController {
  constructor(private readonly endpoint: McpEndpoint) {}

  @Post()
  @HttpCode(200)
  @VoiceboxAuth()
  @ApiOperation({
    summary:
      'Model Context Protocol (streamable HTTP): tools ask, generate_query, run_query, describe_schema',
    description:
      'JSON-RPC 2.0 messages of MCP, authenticated with an app key and X-Client-Id like every voicebox call. Stateless: no session id; GET and DELETE answer 405.',
  })
  @ApiBody({
    schema: {
      type: 'object',
      example: {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'ask', arguments: { question: 'Which departments are there?' } },
      },
    },
  })
  @ApiOkResponse({
    schema: {
      type: 'object',
      example: {
        jsonrpc: '2.0',
        id: 1,
        result: { content: [{ type: 'text', text: 'There are three departments …' }] },
      },
    },
  })
  async post(
    @Body() body: unknown,
    @CurrentIdentity() identity: Identity,
    @Audit() audit: RequestAudit,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (identity.kind !== 'app-key') {
      throw new DomainError('forbidden', 'app.no_app', 'This route needs an app key');
    }
    await this.endpoint.handle({ body, identity, audit, request, reply });
  }

  @Get()
  @Delete()
  @VoiceboxAuth()
  @ApiExcludeEndpoint()
  other(@Res() reply: FastifyReply): void {
    void reply.status(405).header('allow', 'POST').send({
      message: 'This MCP server is stateless: use POST',
      code: 'mcp.method_not_allowed',
      status: 405,
    });
  }
}
