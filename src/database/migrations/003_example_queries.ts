/** 003: stored example queries (question → SPARQL) of each app: few-shot examples and direct answers. */
export const sql = `
CREATE TABLE example_queries (
  id uuid PRIMARY KEY,
  app_id uuid NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  question text NOT NULL,
  -- The query as validated on save (missing PREFIXes declared).
  sparql text NOT NULL,
  -- clock_timestamp(): the examples of one import keep the file's order.
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX example_queries_app_idx ON example_queries (app_id, created_at);
-- One query per question and app: importing a file again replaces its queries.
CREATE UNIQUE INDEX example_queries_app_question_key ON example_queries (app_id, lower(question));
`;
