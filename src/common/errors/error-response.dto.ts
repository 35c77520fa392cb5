import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldProblemDto {
  @ApiProperty({ example: 'query' })
  field!: string;

  @ApiProperty({ example: 'must be a non-empty string' })
  reason!: string;
}

/** The body of every error response. */
export class ErrorResponseDto {
  @ApiProperty({ example: 'Invalid request: query must be a non-empty string' })
  message!: string;

  @ApiProperty({ example: 'request.invalid', description: 'Stable machine-readable error code' })
  code!: string;

  @ApiProperty({ example: 400 })
  status!: number;

  @ApiProperty({
    example: '3f0c6d0e-3c1b-4c53-9d0f-4f1f1b7f9a10',
    description: 'Echo of X-Request-Id',
  })
  request_id!: string;

  @ApiPropertyOptional({ type: [FieldProblemDto], description: 'Each invalid field (400 only)' })
  errors?: FieldProblemDto[];
}
