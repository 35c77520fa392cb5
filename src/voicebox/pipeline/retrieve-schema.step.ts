import { Injectable } from '@nestjs/common';
import { KnowledgeGraphService } from '../../knowledge-graph/knowledge-graph.service.js';
import type { GraphSchema } from '../../knowledge-graph/schema/graph-schema.js';
import type { LinkedEntity } from '../grounding/entity-linker.js';
import { SchemaRetriever, type SchemaContext } from '../grounding/schema-retriever.js';
import type { TurnContext } from './turn-context.js';

/**
 * Tokens of schema text the generation prompt may carry. CK25's schema takes about 1,500 in the
 * retriever's lines; with schema.org and the DBpedia ontology beside it (100× the terms) the
 * retriever keeps the terms the dev questions need within this budget (npm run bench:grounding).
 */
export const SCHEMA_BUDGET_TOKENS = 2000;

export interface RetrievedSchema {
  /** The whole (cached) schema: the validator checks names against it. */
  schema: GraphSchema;
  /** The part given to the model. */
  context: SchemaContext;
}

/** The app's schema (cached per dataset and credential) and the part of it this question needs. */
@Injectable()
export class RetrieveSchemaStep {
  constructor(
    private readonly kg: KnowledgeGraphService,
    private readonly retriever: SchemaRetriever,
  ) {}

  async run(
    ctx: TurnContext,
    question: string,
    entities: LinkedEntity[],
  ): Promise<RetrievedSchema> {
    const schema = await this.kg.schema(ctx.target, ctx.kg);
    const context = this.retriever.retrieve({
      question,
      schema,
      entities,
      budgetTokens: SCHEMA_BUDGET_TOKENS,
    });
    ctx.trace.grounding.schema = {
      text: context.text,
      tokens: context.tokens,
      classes: context.classes.length,
      properties: context.properties.length,
    };
    return { schema, context };
  }
}
