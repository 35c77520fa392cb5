import { ApiProperty } from '@nestjs/swagger';

export class AskActionDto {
  @ApiProperty({
    example: 'sparql',
    description: 'sparql, rewritten_query, entities, row_count, query_problem, debug_…',
  })
  type!: string;

  @ApiProperty({ example: 'SPARQL Query' })
  label!: string;

  @ApiProperty({
    example:
      'PREFIX pv: <http://ld.company.org/prod-vocab/>\nSELECT DISTINCT ?dept ?label WHERE {\n  <http://ld.company.org/prod-instances/empl-Karen.Brant%40company.org> pv:memberOf ?dept .\n  ?dept rdfs:label ?label .\n}',
    description: 'Any JSON value; its shape depends on the type.',
  })
  value!: unknown;
}

export class AskResponseDto {
  @ApiProperty({
    example:
      'Ms. Brant works in the [Marketing](http://ld.company.org/prod-instances/dept-41622) department.',
    description:
      'The answer in markdown; entity mentions link to their IRIs. For generate-query: the SPARQL.',
  })
  result!: string;

  @ApiProperty({ format: 'uuid', example: '3f1c7a52-9b4e-4d7a-8c11-5e2f0a9d6b33' })
  conversation_id!: string;

  @ApiProperty({ format: 'uuid', example: '9a0e5b7c-1d2f-4e3a-8b6c-7d8e9f0a1b2c' })
  message_id!: string;

  @ApiProperty({
    type: [AskActionDto],
    example: [
      {
        type: 'sparql',
        label: 'SPARQL Query',
        value: 'PREFIX pv: <http://ld.company.org/prod-vocab/> SELECT …',
      },
      {
        type: 'rewritten_query',
        label: 'Interpreted Question',
        value: 'In which department is Ms. Brant?',
      },
      { type: 'row_count', label: 'Rows', value: 1 },
    ],
  })
  actions!: AskActionDto[];
}

export class AskEventDto extends AskResponseDto {
  @ApiProperty({ example: true, description: 'true on every line but the last' })
  pending!: boolean;
}
