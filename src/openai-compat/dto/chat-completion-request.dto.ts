import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  Allow,
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';

export const CHAT_ROLES = ['system', 'developer', 'user', 'assistant', 'tool', 'function'] as const;

/** One message as OpenAI clients send it; fields other than role and content are accepted and ignored. */
export class ChatMessageDto {
  @ApiProperty({ enum: CHAT_ROLES, example: 'user' })
  @IsIn(CHAT_ROLES)
  role!: (typeof CHAT_ROLES)[number];

  @ApiPropertyOptional({
    example: 'Which departments are there?',
    description: 'Text, or an array of content parts of which the `text` parts are read.',
  })
  @Allow()
  content?: unknown;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(256) name?: string;
  @Allow() tool_calls?: unknown;
  @Allow() tool_call_id?: unknown;
  @Allow() function_call?: unknown;
  @Allow() refusal?: unknown;
  @Allow() audio?: unknown;
}

/**
 * `POST /v1/chat/completions`. The fields chat front ends send with every request are declared so
 * that the validation (which refuses unknown fields) lets them through; sampling settings are
 * accepted and ignored, because the pipeline sets its own.
 */
export class ChatCompletionRequestDto {
  @ApiPropertyOptional({
    example: 'ck25-demo',
    description:
      'Any name is accepted; the answer comes from the app of the key (see GET /v1/models).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  model?: string;

  @ApiProperty({
    type: [ChatMessageDto],
    example: [
      { role: 'user', content: 'In which department is Ms. Brant?' },
      { role: 'assistant', content: 'Ms. Brant works in Marketing.' },
      { role: 'user', content: 'Who else works there?' },
    ],
    description: 'The last message must be the user’s question; earlier ones are the conversation.',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => ChatMessageDto)
  messages!: ChatMessageDto[];

  @ApiPropertyOptional({ example: false, description: 'Server-sent events, as OpenAI streams.' })
  @IsOptional()
  @IsBoolean()
  stream?: boolean;

  @ApiPropertyOptional({ example: { include_usage: true } })
  @Allow()
  stream_options?: { include_usage?: boolean } | null;

  @ApiPropertyOptional({
    example: 'alice',
    description: 'The end user, when the client cannot send X-Client-Id.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  user?: string;

  // Accepted for compatibility and ignored.
  @Allow() temperature?: unknown;
  @Allow() top_p?: unknown;
  @Allow() n?: unknown;
  @Allow() stop?: unknown;
  @Allow() max_tokens?: unknown;
  @Allow() max_completion_tokens?: unknown;
  @Allow() presence_penalty?: unknown;
  @Allow() frequency_penalty?: unknown;
  @Allow() logit_bias?: unknown;
  @Allow() logprobs?: unknown;
  @Allow() top_logprobs?: unknown;
  @Allow() seed?: unknown;
  @Allow() response_format?: unknown;
  @Allow() tools?: unknown;
  @Allow() tool_choice?: unknown;
  @Allow() parallel_tool_calls?: unknown;
  @Allow() functions?: unknown;
  @Allow() function_call?: unknown;
  @Allow() metadata?: unknown;
  @Allow() store?: unknown;
  @Allow() reasoning_effort?: unknown;
  @Allow() modalities?: unknown;
  @Allow() service_tier?: unknown;
  @Allow() prediction?: unknown;
  @Allow() audio?: unknown;
  @Allow() web_search_options?: unknown;
  @Allow() verbosity?: unknown;
  @Allow() safety_identifier?: unknown;
  @Allow() prompt_cache_key?: unknown;
}
