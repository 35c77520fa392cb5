/** A stored question with its SPARQL, and how close it is to the asked one (score in [0, 1]). */
export interface ExampleQuery {
  question: string;
  sparql: string;
  score: number;
}

export interface ExampleQueryLookup {
  appId: string;
  question: string;
  limit: number;
}

/**
 * Port: an app's stored example queries, most similar first. The pipeline gives them to the model
 * as few-shot examples and answers directly with a stored query whose score reaches
 * `DIRECT_ANSWER_SCORE`. The grounding branch binds a real one.
 */
export abstract class ExampleQueries {
  abstract similar(q: ExampleQueryLookup): Promise<ExampleQuery[]>;
}

/** A stored query this close to the question is used as is, without asking the model. */
export const DIRECT_ANSWER_SCORE = 0.95;

/** Default: no examples. */
export class NoExampleQueries extends ExampleQueries {
  similar(): Promise<ExampleQuery[]> {
    return Promise.resolve([]);
  }
}
