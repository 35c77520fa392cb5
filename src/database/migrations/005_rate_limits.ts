/**
 * 005: rate-limit counters shared by every replica. One row per bucket (an app key, or an app's
 * client id) and fixed window; a request adds one with an UPSERT, so replicas never disagree.
 */
export const sql = `
CREATE TABLE rate_limit_windows (
  -- 'key:<key id>' or 'client:<app id>:<X-Client-Id>'
  bucket text NOT NULL,
  window_start timestamptz NOT NULL,
  hits integer NOT NULL,
  PRIMARY KEY (bucket, window_start)
);
CREATE INDEX rate_limit_windows_start_idx ON rate_limit_windows (window_start);
`;
