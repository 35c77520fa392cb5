import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const ANSWER =
  'Ms. Brant works in the [Marketing](http://ld.company.org/prod-instances/dept-41622) department.\n\n```sparql\nPREFIX pv: <http://ld.company.org/prod-vocab/>\nSELECT ?dept WHERE { ?e pv:memberOf ?dept }\n```';

class ChatAnswerMessageDto {
  @ApiProperty({ example: 'assistant' }) role!: 'assistant';
  @ApiProperty({ example: ANSWER }) content!: string;
}

class ChatChoiceDto {
  @ApiProperty({ example: 0 }) index!: number;
  @ApiProperty({ type: ChatAnswerMessageDto }) message!: ChatAnswerMessageDto;
  @ApiProperty({ example: 'stop' }) finish_reason!: string;
}

export class ChatCompletionResponseDto {
  @ApiProperty({ example: 'chatcmpl-6f0d1c2e-8a47-4f4e-9a0b-0c5e2d1f7a33' }) id!: string;
  @ApiProperty({ example: 'chat.completion' }) object!: string;
  @ApiProperty({ example: 1764680000 }) created!: number;
  @ApiProperty({ example: 'ck25-demo', description: 'The app of the key.' }) model!: string;
  @ApiProperty({ type: [ChatChoiceDto] }) choices!: ChatChoiceDto[];
  @ApiPropertyOptional({
    example: { conversation_id: '3f1c7a52-9b4e-4d7a-8c11-5e2f0a9d6b33', actions: [] },
    description: 'The Voicebox answer behind the message (conversation, message id, actions).',
  })
  voicebox?: unknown;
}

class ModelDto {
  @ApiProperty({ example: 'ck25-demo' }) id!: string;
  @ApiProperty({ example: 'model' }) object!: string;
  @ApiProperty({ example: 1764680000 }) created!: number;
  @ApiProperty({ example: 'voicebox' }) owned_by!: string;
}

export class ModelListDto {
  @ApiProperty({ example: 'list' }) object!: string;
  @ApiProperty({ type: [ModelDto] }) data!: ModelDto[];
}
