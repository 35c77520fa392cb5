import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import type { ExampleRecord } from '../example.types.js';

export const MAX_QUESTION_CHARS = 2000;
export const MAX_SPARQL_CHARS = 100_000;

export class CreateExampleDto {
  @ApiProperty({
    example: 'In which department is Ms. Brant?',
    description:
      'A question as users ask it. A question this close to it is answered with `sparql` directly, without a model.',
    maxLength: MAX_QUESTION_CHARS,
  })
  @IsString()
  @IsNotEmpty()
  @Matches(/\S/, { message: 'must not be blank' })
  @MaxLength(MAX_QUESTION_CHARS)
  question!: string;

  @ApiProperty({
    example:
      'PREFIX pv: <http://ld.company.org/prod-vocab/>\nSELECT DISTINCT ?result WHERE { <http://ld.company.org/prod-instances/empl-Karen.Brant%40company.org> pv:memberOf ?result . ?result a pv:Department . }',
    description:
      "A read-only query that answers the question. Validated against the app's graph on save: it parses, passes the read-only gate, and every class, property and instance IRI it names is in the graph (400 names the problem). Missing PREFIXes of well-known vocabularies are declared.",
    maxLength: MAX_SPARQL_CHARS,
  })
  @IsString()
  @IsNotEmpty()
  @Matches(/\S/, { message: 'must not be blank' })
  @MaxLength(MAX_SPARQL_CHARS)
  sparql!: string;
}

/** PUT: both fields, replacing the example's question and query. */
export class ReplaceExampleDto extends CreateExampleDto {}

export class ExampleDto {
  @ApiProperty({ format: 'uuid', example: '3f1c2b9e-7a64-4d0e-9b8a-5c1d2e3f4a5b' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  app_id!: string;

  @ApiProperty({ example: 'In which department is Ms. Brant?' })
  question!: string;

  @ApiProperty({ description: 'The query as stored (missing PREFIXes declared)' })
  sparql!: string;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export function toExampleDto(e: ExampleRecord): ExampleDto {
  return {
    id: e.id,
    app_id: e.appId,
    question: e.question,
    sparql: e.sparql,
    created_at: e.createdAt.toISOString(),
    updated_at: e.updatedAt.toISOString(),
  };
}
