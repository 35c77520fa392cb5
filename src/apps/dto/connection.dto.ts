import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import {
  CONNECTION_KINDS,
  CREDENTIAL_KINDS,
  type ConnectionKind,
  type ConnectionRecord,
  type CredentialKind,
} from '../connection.types.js';
import type { ConnectionInput, ConnectionPatch, CredentialInput } from '../connections.service.js';
import { withoutUserinfo } from '../endpoint-policy.js';

export class CredentialDto {
  @ApiProperty({
    enum: CREDENTIAL_KINDS,
    example: 'basic',
    description:
      'basic: username + password; bearer: token; sso: nothing stored, each request brings X-SD-Auth-Token; none: anonymous',
  })
  @IsIn(CREDENTIAL_KINDS)
  kind!: CredentialKind;

  @ApiPropertyOptional({ example: 'voicebox-reader', description: 'basic only' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  username?: string;

  @ApiPropertyOptional({
    example: 'correct horse battery staple',
    description: 'basic only; stored encrypted, never returned',
    writeOnly: true,
  })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  password?: string;

  @ApiPropertyOptional({
    example: 'eyJhbGciOiJSUzI1NiJ9…',
    description: 'bearer only; stored encrypted, never returned',
    writeOnly: true,
  })
  @IsOptional()
  @IsString()
  @MaxLength(16384)
  token?: string;
}

export class CreateConnectionDto {
  @ApiProperty({ example: 'prod-stardog', description: 'Unique name' })
  @IsString()
  @IsNotEmpty()
  @Matches(/\S/, { message: 'must not be blank' })
  @MaxLength(200)
  name!: string;

  @ApiProperty({ enum: CONNECTION_KINDS, example: 'stardog' })
  @IsIn(CONNECTION_KINDS)
  kind!: ConnectionKind;

  @ApiPropertyOptional({
    example: 'https://stardog.example.com:5820',
    description: 'http(s) URL; for kind "embedded" absent or "embedded:"',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  endpoint?: string | null;

  @ApiPropertyOptional({
    example: 'http://stardog.internal:5820',
    description: 'Used by the service instead of endpoint when set (e.g. inside the cluster)',
    nullable: true,
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  internal_endpoint?: string | null;

  @ApiProperty({ type: CredentialDto })
  @IsDefined()
  // Without it an array of credentials passes (each element is validated) and reaches the database.
  @IsObject({ message: 'must be an object' })
  @ValidateNested()
  @Type(() => CredentialDto)
  credential!: CredentialDto;
}

/**
 * PATCH: the creation rules, each field optional. Absent fields stay as they are; `credential`, when
 * given, replaces the stored one whole; `internal_endpoint: null` clears it.
 */
export class UpdateConnectionDto extends PartialType(CreateConnectionDto) {}

export class CredentialViewDto {
  @ApiProperty({ enum: CREDENTIAL_KINDS, example: 'basic' })
  kind!: CredentialKind;

  @ApiPropertyOptional({ example: 'voicebox-reader' })
  username?: string;

  @ApiProperty({ example: true, description: 'Whether a secret is stored (it is never returned)' })
  has_secret!: boolean;
}

export class ConnectionDto {
  @ApiProperty({ format: 'uuid', example: '0b7e3c4e-8f0a-4c55-9d8e-2f4c1a7b9e10' })
  id!: string;

  @ApiProperty({ example: 'prod-stardog' })
  name!: string;

  @ApiProperty({ enum: CONNECTION_KINDS, example: 'stardog' })
  kind!: ConnectionKind;

  @ApiProperty({ example: 'https://stardog.example.com:5820', nullable: true, type: String })
  endpoint!: string | null;

  @ApiProperty({ example: 'http://stardog.internal:5820', nullable: true, type: String })
  internal_endpoint!: string | null;

  @ApiProperty({ type: CredentialViewDto })
  credential!: CredentialViewDto;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export function toConnectionDto(c: ConnectionRecord): ConnectionDto {
  const credential: CredentialViewDto = {
    kind: c.credentialKind,
    has_secret: c.secretEncrypted !== null,
  };
  if (c.username !== null) credential.username = c.username;
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    // Rows written before user:password in a URL was refused: never echo those in plain text.
    endpoint: c.endpoint && withoutUserinfo(c.endpoint),
    internal_endpoint: c.internalEndpoint && withoutUserinfo(c.internalEndpoint),
    credential,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}

function credentialInput(c: CredentialDto): CredentialInput {
  return { kind: c.kind, username: c.username, password: c.password, token: c.token };
}

export function connectionInput(d: CreateConnectionDto): ConnectionInput {
  return {
    name: d.name,
    kind: d.kind,
    endpoint: d.endpoint,
    internalEndpoint: d.internal_endpoint,
    credential: credentialInput(d.credential),
  };
}

export function connectionPatch(d: UpdateConnectionDto): ConnectionPatch {
  return {
    name: d.name ?? undefined,
    kind: d.kind ?? undefined,
    endpoint: d.endpoint,
    internalEndpoint: d.internal_endpoint,
    credential: d.credential ? credentialInput(d.credential) : undefined,
  };
}
