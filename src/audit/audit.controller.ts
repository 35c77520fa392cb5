import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PAGE_HEADERS, pageOf } from '../common/http/paged-list.js';
import { ApiErrorResponse, invalidField } from '../common/errors/api-error-response.decorator.js';
import { AdminAuth } from '../common/http/route-policy.decorators.js';
import { AuditTrailRepository } from './audit-trail.repository.js';
import { AuditQueryDto, AuditRecordDto, toAuditRecordDto } from './dto/audit-query.dto.js';

@ApiTags('admin')
@Controller('api/v1/admin/audit')
export class AuditController {
  constructor(private readonly repository: AuditTrailRepository) {}

  @Get()
  @AdminAuth()
  @ApiOperation({
    summary: 'The audit trail: one record per voicebox request, newest first, filtered and paged',
  })
  @ApiOkResponse({ type: [AuditRecordDto], headers: PAGE_HEADERS })
  @ApiErrorResponse(400, 'Names each invalid query parameter and why', {
    'invalid parameter': invalidField('since', 'must be a valid ISO 8601 date string'),
  })
  async list(
    @Query() query: AuditQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuditRecordDto[]> {
    const page = pageOf(query);
    const { items, total } = await this.repository.list(
      {
        app: query.app,
        clientId: query.client_id,
        subject: query.subject,
        outcome: query.outcome,
        since: query.since === undefined ? undefined : new Date(query.since),
        until: query.until === undefined ? undefined : new Date(query.until),
      },
      page,
    );
    void reply.header('x-total-count', String(total));
    if (page.offset + page.limit < total) {
      // The next page keeps the filters.
      const url = new URL(request.url, 'http://voicebox.invalid');
      url.searchParams.set('limit', String(page.limit));
      url.searchParams.set('offset', String(page.offset + page.limit));
      void reply.header('link', `<${url.pathname}${url.search}>; rel="next"`);
    }
    return items.map(toAuditRecordDto);
  }
}
