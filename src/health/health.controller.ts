import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CheckResultDto, ReadinessDto } from './dto/readiness.dto.js';
import { ApiErrorResponse } from '../common/errors/api-error-response.decorator.js';
import { Public } from '../common/http/route-policy.decorators.js';
import { LivenessService } from './liveness.service.js';
import { ReadinessService } from './readiness.service.js';

@Public()
@ApiTags('system')
@ApiExtraModels(CheckResultDto)
@Controller('system')
export class HealthController {
  constructor(
    private readonly readiness: ReadinessService,
    private readonly liveness: LivenessService,
  ) {}

  @Get('health')
  @HttpCode(204)
  @ApiOperation({
    summary:
      'Liveness: 204 while the process is worth keeping; 503 `system.not_alive` when it cannot recover by itself',
  })
  @ApiNoContentResponse({ description: 'The process is alive' })
  @ApiErrorResponse(
    503,
    'A part failed for good (e.g. the embedded PostgreSQL died and could not be restarted): restart the process',
    {
      'Not alive': {
        code: 'system.not_alive',
        message:
          'The process cannot recover by itself (database: the embedded PostgreSQL died and 5 restarts failed); it should be restarted.',
        details: {
          checks: { database: 'the embedded PostgreSQL died and 5 restarts failed' },
        },
      },
    },
  )
  health(): void {
    this.liveness.assertAlive();
  }

  @Get('ready')
  @ApiOperation({
    summary:
      'Readiness: 200 once configuration, database and knowledge graph are usable; 503 before and during shutdown',
  })
  @ApiOkResponse({ type: ReadinessDto, description: 'Ready to serve' })
  @ApiServiceUnavailableResponse({
    type: ReadinessDto,
    description: 'Not ready; each failing check says why',
    example: {
      status: 'not_ready',
      checks: {
        startup: { ok: true },
        database: { ok: false, reason: 'no answer within 2000 ms' },
      },
    },
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessDto> {
    const report = await this.readiness.report();
    void reply.status(report.ready ? 200 : 503);
    return { status: report.ready ? 'ready' : 'not_ready', checks: report.checks };
  }
}
