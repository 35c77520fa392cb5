import type { KgRequestContext, KgTarget } from '../../knowledge-graph/kg-connection.js';

/** A graph resource the question names, e.g. "Ms. Brant" → `…/empl-Karen.Brant%40company.org`. */
export interface LinkedEntity {
  iri: string;
  label: string;
  types: string[];
  /** Confidence in [0, 1]. */
  score: number;
  /** The words of the question it was found for. */
  matched: string;
}

export interface EntityLinkQuery {
  question: string;
  target: KgTarget;
  ctx: KgRequestContext;
  limit?: number;
}

/** Port: finds the entities a question names. The grounding branch binds a real one. */
export abstract class EntityLinker {
  abstract link(q: EntityLinkQuery): Promise<LinkedEntity[]>;
}

/** Default: links nothing; the model then works from the schema alone. */
export class NoEntityLinker extends EntityLinker {
  link(): Promise<LinkedEntity[]> {
    return Promise.resolve([]);
  }
}
