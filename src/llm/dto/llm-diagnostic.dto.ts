import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The result of a one-token call to one configured LLM. Carries no secret and no URL. */
export class LlmDiagnosticDto {
  @ApiProperty({ enum: ['default', 'external'], example: 'default' })
  role!: 'default' | 'external';

  @ApiProperty({ example: 'openai' })
  provider!: string;

  @ApiProperty({ example: 'gpt-4o' })
  model!: string;

  @ApiProperty({ description: 'Whether a one-token completion succeeded', example: true })
  ok!: boolean;

  @ApiProperty({ description: 'Duration of the call in milliseconds', example: 412 })
  latency_ms!: number;

  @ApiPropertyOptional({
    description: 'Why the call failed (our message and code, never the provider credential)',
    example: 'llm.rate_limited: The language model (openai) is rate limiting; retry in 2 s',
  })
  error?: string;
}
