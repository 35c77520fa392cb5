/** 002: conversations of the ask pipeline and their messages (one row per answered turn). */
export const sql = `
CREATE TABLE conversations (
  id uuid PRIMARY KEY,
  app_id uuid NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  -- X-Client-Id of the end user who started it: only the same app and client may continue it.
  client_id text NOT NULL,
  -- JWT subject in public-API JWT mode; for the record only.
  subject text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversations_app_client_idx ON conversations (app_id, client_id);

CREATE TABLE conversation_messages (
  id uuid PRIMARY KEY,
  conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  question text NOT NULL,
  standalone_question text NOT NULL,
  sparql text,
  row_count integer,
  answer text NOT NULL,
  -- answered | no_rows | not_answerable | refused | query_generated
  outcome text NOT NULL,
  -- Milliseconds per pipeline step.
  timings jsonb NOT NULL DEFAULT '{}',
  prompt_tokens integer NOT NULL DEFAULT 0,
  completion_tokens integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX conversation_messages_conversation_idx ON conversation_messages (conversation_id, created_at);
`;
