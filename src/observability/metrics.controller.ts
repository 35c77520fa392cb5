import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/http/route-policy.decorators.js';
import { MetricsRegistry } from './metrics.registry.js';

@Public()
@ApiTags('system')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsRegistry) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({
    summary: 'Prometheus metrics: process, HTTP by route and status, and per capability',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Prometheus text exposition format',
    schema: {
      type: 'string',
      example:
        '# HELP voicebox_http_requests_total HTTP requests served\n# TYPE voicebox_http_requests_total counter\nvoicebox_http_requests_total{method="GET",route="/system/health",status_code="204"} 3\n',
    },
  })
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
