/** 001: connections, Voicebox apps and their keys. */
export const sql = `
CREATE TABLE connections (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('stardog', 'sparql', 'embedded')),
  endpoint text,
  internal_endpoint text,
  credential_kind text NOT NULL CHECK (credential_kind IN ('basic', 'bearer', 'sso', 'none')),
  username text,
  -- AES-256-GCM under VOICEBOX_SECRET_KEY, bound to the row id; never returned by the API.
  secret_encrypted text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT connections_name_key UNIQUE (name)
);

CREATE TABLE apps (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  connection_id uuid REFERENCES connections (id) ON DELETE RESTRICT,
  database text NOT NULL,
  model text,
  named_graphs text[] NOT NULL DEFAULT '{}',
  reasoning boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT apps_name_key UNIQUE (name)
);
CREATE INDEX apps_connection_id_idx ON apps (connection_id);

CREATE TABLE app_keys (
  id uuid PRIMARY KEY,
  app_id uuid NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  name text NOT NULL,
  -- The first characters of the key, to recognise it in a list; not enough to use it.
  prefix text NOT NULL,
  -- SHA-256 of the whole key: each request looks its key up by this (unique index).
  key_hash bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  revoked_at timestamptz,
  last_used_at timestamptz,
  CONSTRAINT app_keys_key_hash_key UNIQUE (key_hash)
);
CREATE INDEX app_keys_app_id_idx ON app_keys (app_id);
`;
