/** A question an admin stored for an app, with the SPARQL that answers it. */
export interface ExampleRecord {
  id: string;
  appId: string;
  question: string;
  sparql: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A question and its query, as an admin gives them (API body, CLI flags, an import file). */
export interface ExampleInput {
  question: string;
  sparql: string;
}
