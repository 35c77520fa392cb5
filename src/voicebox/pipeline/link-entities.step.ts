import { Injectable } from '@nestjs/common';
import { EntityLinker, type LinkedEntity } from '../grounding/entity-linker.js';
import type { TurnContext } from './turn-context.js';

const MAX_ENTITIES = 10;

/** The graph resources the question names, through whichever EntityLinker is bound. */
@Injectable()
export class LinkEntitiesStep {
  constructor(private readonly linker: EntityLinker) {}

  async run(ctx: TurnContext, question: string): Promise<LinkedEntity[]> {
    const entities = await this.linker.link({
      question,
      target: ctx.target,
      ctx: ctx.kg,
      limit: MAX_ENTITIES,
    });
    ctx.trace.grounding.entities = entities;
    return entities;
  }
}
