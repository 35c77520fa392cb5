import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class CheckResultDto {
  @ApiProperty({ example: true })
  ok!: boolean;

  @ApiPropertyOptional({ example: 'connect ECONNREFUSED 127.0.0.1:5432' })
  reason?: string;
}

export class ReadinessDto {
  @ApiProperty({ enum: ['ready', 'not_ready'], example: 'ready' })
  status!: 'ready' | 'not_ready';

  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/CheckResultDto' },
    example: { startup: { ok: true }, database: { ok: true }, knowledge_graph: { ok: true } },
  })
  checks!: Record<string, CheckResultDto>;
}
