import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { AppKeyRecord } from '../app.types.js';

export class CreateAppKeyDto {
  @ApiProperty({ example: 'web-frontend', description: 'What the key is for' })
  @IsString()
  @IsNotEmpty()
  @Matches(/\S/, { message: 'must not be blank' })
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2027-01-01T00:00:00Z',
    description: 'After this instant the key is refused; absent: no expiry',
  })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  expires_at?: string;
}

export class AppKeyDto {
  @ApiProperty({ format: 'uuid', example: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d' })
  id!: string;

  @ApiProperty({ example: 'web-frontend' })
  name!: string;

  @ApiProperty({
    example: 'sdc_q3Jx9LkP',
    description: 'First characters of the key, to recognise it',
  })
  prefix!: string;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  expires_at!: string | null;

  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'Updated at most once a minute',
  })
  last_used_at!: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  revoked_at!: string | null;
}

export class IssuedAppKeyDto extends AppKeyDto {
  @ApiProperty({
    example: 'sdc_q3Jx9LkPz0aW1bV2cU3dT4eS5fR6gQ7hP8iO9jN0kM1',
    description: 'The key. Shown this once: only its hash is stored.',
  })
  key!: string;
}

export function toAppKeyDto(k: AppKeyRecord): AppKeyDto {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    created_at: k.createdAt.toISOString(),
    expires_at: k.expiresAt?.toISOString() ?? null,
    last_used_at: k.lastUsedAt?.toISOString() ?? null,
    revoked_at: k.revokedAt?.toISOString() ?? null,
  };
}
