/**
 * 004: the audit trail, one row per voicebox request: who (app, key, client id, subject), what
 * (conversation, SPARQL, LLM calls and tokens), how it ended and how long it took. No prompt, no
 * answer, no credential. Not tied to apps by a foreign key: the record outlives a deleted app.
 */
export const sql = `
CREATE TABLE audit_records (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  request_id text NOT NULL,
  route text NOT NULL,
  status integer NOT NULL,
  -- The ask's outcome (answered, no_rows, ...), its error code, or http_<status> before the pipeline.
  outcome text NOT NULL,
  duration_ms double precision NOT NULL,
  auth text,
  app_id uuid,
  app_name text,
  key_id uuid,
  client_id text,
  subject text,
  conversation_id uuid,
  message_id uuid,
  sparql text,
  row_count integer,
  llm_provider text,
  llm_model text,
  prompt_tokens integer NOT NULL DEFAULT 0,
  completion_tokens integer NOT NULL DEFAULT 0,
  -- Each call: role, provider, model, tokens, latency, outcome.
  llm_calls jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX audit_records_created_idx ON audit_records (created_at DESC);
CREATE INDEX audit_records_app_idx ON audit_records (app_id, created_at DESC);
CREATE INDEX audit_records_client_idx ON audit_records (client_id, created_at DESC);
CREATE INDEX audit_records_subject_idx ON audit_records (subject, created_at DESC);
`;
