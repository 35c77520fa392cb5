import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
} from 'class-validator';
import type { AppRecord } from '../app.types.js';
import type { AppInput, AppPatch } from '../apps.service.js';

/** An absolute IRI as SPARQL names graphs: a scheme, a colon, no spaces (urn:, http:, tag:). */
const IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]+$/;
const IRI_MESSAGE = 'each must be an absolute IRI (e.g. urn:example:graph or https://…)';

export class CreateAppDto {
  @ApiProperty({ example: 'sales-assistant', description: 'Unique name' })
  @IsString()
  @IsNotEmpty()
  @Matches(/\S/, { message: 'must not be blank' })
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({
    format: 'uuid',
    example: '0b7e3c4e-8f0a-4c55-9d8e-2f4c1a7b9e10',
    nullable: true,
    description: 'The knowledge-graph connection',
  })
  @IsOptional()
  @IsUUID()
  connection_id?: string | null;

  @ApiProperty({ example: 'sales', description: 'Database on the connection' })
  @IsString()
  @IsNotEmpty()
  @Matches(/\S/, { message: 'must not be blank' })
  @MaxLength(255)
  database!: string;

  @ApiPropertyOptional({
    example: 'default',
    nullable: true,
    description: 'Reasoning schema (model)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  model?: string | null;

  @ApiPropertyOptional({ type: [String], example: ['urn:example:sales:2025'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(2048, { each: true, message: 'each must be at most 2048 characters' })
  @Matches(IRI, { each: true, message: IRI_MESSAGE })
  named_graphs?: string[];

  @ApiPropertyOptional({ example: false, default: false })
  @IsOptional()
  @IsBoolean()
  reasoning?: boolean;
}

/** PATCH: the same fields and rules as creation, each optional; `connection_id: null` detaches. */
export class UpdateAppDto extends PartialType(CreateAppDto) {}

export class AppDto {
  @ApiProperty({ format: 'uuid', example: '5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d' })
  id!: string;

  @ApiProperty({ example: 'sales-assistant' })
  name!: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  connection_id!: string | null;

  @ApiProperty({ example: 'sales' })
  database!: string;

  @ApiProperty({ example: 'default', nullable: true, type: String })
  model!: string | null;

  @ApiProperty({ type: [String], example: ['urn:example:sales:2025'] })
  named_graphs!: string[];

  @ApiProperty({ example: false })
  reasoning!: boolean;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

/** `GET /api/v1/app`: the settings of the key's app, in the shape clients of the contract read. */
export class AppSettingsDto {
  @ApiProperty({ example: 'sales-assistant' })
  name!: string;

  @ApiProperty({ example: 'sales' })
  database!: string;

  @ApiProperty({ example: 'default', description: 'Reasoning schema; "" when none is set' })
  model!: string;

  @ApiProperty({ type: [String], example: [] })
  named_graphs!: string[];

  @ApiProperty({ example: false })
  reasoning!: boolean;
}

export function toAppDto(a: AppRecord): AppDto {
  return {
    id: a.id,
    name: a.name,
    connection_id: a.connectionId,
    database: a.database,
    model: a.model,
    named_graphs: a.namedGraphs,
    reasoning: a.reasoning,
    created_at: a.createdAt.toISOString(),
    updated_at: a.updatedAt.toISOString(),
  };
}

export function appInput(d: CreateAppDto): AppInput {
  return {
    name: d.name,
    connectionId: d.connection_id,
    database: d.database,
    model: d.model,
    namedGraphs: d.named_graphs,
    reasoning: d.reasoning,
  };
}

export function appPatch(d: UpdateAppDto): AppPatch {
  return {
    name: d.name ?? undefined,
    connectionId: d.connection_id,
    database: d.database ?? undefined,
    model: d.model,
    namedGraphs: d.named_graphs ?? undefined,
    reasoning: d.reasoning ?? undefined,
  };
}
