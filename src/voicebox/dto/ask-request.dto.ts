import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  ValidateIf,
} from 'class-validator';

const QUESTION_MAX = 4000;

/**
 * The body of ask and generate-query: `query` (as the contract names it) or `message` (as one
 * published guide sends it); one of them is required.
 */
export class AskRequestDto {
  @ApiPropertyOptional({
    example: 'In which department is Ms. Brant?',
    description:
      'The question, in plain language. Directives such as `#debug` may be added. Either this or `message`.',
    maxLength: QUESTION_MAX,
  })
  @ValidateIf((o: AskRequestDto) => o.message === undefined || o.query !== undefined)
  @IsString()
  @IsNotEmpty({ message: 'must be given (or message)' })
  @MaxLength(QUESTION_MAX)
  query?: string;

  @ApiPropertyOptional({
    example: 'In which department is Ms. Brant?',
    description: 'Accepted instead of `query`.',
    maxLength: QUESTION_MAX,
  })
  @ValidateIf((o: AskRequestDto) => o.message !== undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(QUESTION_MAX)
  message?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    example: '3f1c7a52-9b4e-4d7a-8c11-5e2f0a9d6b33',
    description: 'Continue this conversation (absent: a new one, whose id the answer carries).',
  })
  @IsOptional()
  @IsUUID()
  conversation_id?: string;
}

export const THINK_MODES = ['standard', 'lite', 'fast'] as const;

export class StreamAskRequestDto extends AskRequestDto {
  @ApiPropertyOptional({
    enum: THINK_MODES,
    example: 'standard',
    description: 'Accepted for compatibility; every mode runs the same pipeline today.',
  })
  @IsOptional()
  @IsIn(THINK_MODES)
  think_mode?: (typeof THINK_MODES)[number];
}

/** The question of a validated body. */
export function questionOf(body: AskRequestDto): string {
  return (body.query ?? body.message ?? '').trim();
}
