import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '../../common/http/paged-list.js';
import type { AuditedLlmCall } from '../../observability/request-audit.js';
import type { AuditEntry } from '../audit-entry.js';

/** Filters of GET /api/v1/admin/audit, on top of `limit` and `offset`. */
export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'App id or app name', example: 'ck25-demo' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  app?: string;

  @ApiPropertyOptional({ description: 'X-Client-Id of the end user', example: 'alice' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  client_id?: string;

  @ApiPropertyOptional({ description: 'JWT subject of the user', example: '00u1abcd' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  subject?: string;

  @ApiPropertyOptional({
    description:
      'answered, no_rows, not_answerable, refused, query_generated, an error code, or http_<status>',
    example: 'answered',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  outcome?: string;

  @ApiPropertyOptional({
    description: 'From this instant (ISO 8601, inclusive)',
    example: '2026-12-01T00:00:00Z',
  })
  @IsOptional()
  @IsDateString({ strict: true })
  since?: string;

  @ApiPropertyOptional({
    description: 'Before this instant (ISO 8601, exclusive)',
    example: '2026-12-02T00:00:00Z',
  })
  @IsOptional()
  @IsDateString({ strict: true })
  until?: string;
}

export class AuditLlmCallDto {
  @ApiProperty({ example: 'default' }) role!: string;
  @ApiProperty({ example: 'openai' }) provider!: string;
  @ApiProperty({ example: 'gpt-4o' }) model!: string;
  @ApiProperty({ example: 812 }) prompt_tokens!: number;
  @ApiProperty({ example: 64 }) completion_tokens!: number;
  @ApiProperty({ example: 930 }) latency_ms!: number;
  @ApiProperty({ example: 'ok' }) outcome!: string;
}

/** One audit record: who asked what through which app, what ran, and how it ended. */
export class AuditRecordDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty() request_id!: string;
  @ApiProperty({ example: '/api/v1/voicebox/ask' }) route!: string;
  @ApiProperty({ example: 200 }) status!: number;
  @ApiProperty({ example: 'answered' }) outcome!: string;
  @ApiProperty({ example: 1234.5 }) duration_ms!: number;
  @ApiPropertyOptional({ example: 'app-key' }) auth?: string;
  @ApiPropertyOptional({ format: 'uuid' }) app_id?: string;
  @ApiPropertyOptional({ example: 'ck25-demo' }) app_name?: string;
  @ApiPropertyOptional({ format: 'uuid' }) key_id?: string;
  @ApiPropertyOptional({ example: 'alice' }) client_id?: string;
  @ApiPropertyOptional() subject?: string;
  @ApiPropertyOptional({ format: 'uuid' }) conversation_id?: string;
  @ApiPropertyOptional({ format: 'uuid' }) message_id?: string;
  @ApiPropertyOptional({ description: 'The SPARQL executed (or refused)' }) sparql?: string;
  @ApiPropertyOptional() row_count?: number;
  @ApiPropertyOptional({ example: 'openai' }) llm_provider?: string;
  @ApiPropertyOptional({ example: 'gpt-4o' }) llm_model?: string;
  @ApiProperty() prompt_tokens!: number;
  @ApiProperty() completion_tokens!: number;
  @ApiProperty({ type: [AuditLlmCallDto] }) llm_calls!: AuditLlmCallDto[];
}

const callDto = (c: AuditedLlmCall): AuditLlmCallDto => ({
  role: c.role,
  provider: c.provider,
  model: c.model,
  prompt_tokens: c.promptTokens,
  completion_tokens: c.completionTokens,
  latency_ms: c.latencyMs,
  outcome: c.outcome,
});

export function toAuditRecordDto(e: AuditEntry): AuditRecordDto {
  return {
    id: e.id,
    created_at: e.createdAt.toISOString(),
    request_id: e.requestId,
    route: e.route,
    status: e.status,
    outcome: e.outcome,
    duration_ms: e.durationMs,
    auth: e.auth,
    app_id: e.appId,
    app_name: e.appName,
    key_id: e.keyId,
    client_id: e.clientId,
    subject: e.subject,
    conversation_id: e.conversationId,
    message_id: e.messageId,
    sparql: e.sparql,
    row_count: e.rowCount,
    llm_provider: e.llmProvider,
    llm_model: e.llmModel,
    prompt_tokens: e.promptTokens,
    completion_tokens: e.completionTokens,
    llm_calls: e.llmCalls.map(callDto),
  };
}
