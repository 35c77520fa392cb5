import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AdminAuth } from '../common/http/route-policy.decorators.js';
import { Audit, type RequestAudit } from '../observability/request-audit.js';
import { clientDisconnectSignal } from './client-disconnect.js';
import { LlmDiagnosticDto } from './dto/llm-diagnostic.dto.js';
import { LlmDiagnosticsService } from './llm-diagnostics.service.js';

@ApiTags('admin')
@Controller('api/v1/admin/llm')
export class LlmDiagnosticsController {
  constructor(private readonly diagnostics: LlmDiagnosticsService) {}

  @Get('diagnostics')
  @AdminAuth()
  @ApiOperation({
    summary: 'Check each configured LLM',
    description:
      'Makes a one-token call to each configured LLM and reports whether it succeeded and how long it took. Reveals no secret.',
  })
  @ApiOkResponse({ type: LlmDiagnosticDto, isArray: true })
  diagnose(
    @Res({ passthrough: true }) reply: FastifyReply,
    @Audit() audit: RequestAudit,
  ): Promise<LlmDiagnosticDto[]> {
    return this.diagnostics.run(clientDisconnectSignal(reply), (usage) => audit.recordLlm(usage));
  }
}
