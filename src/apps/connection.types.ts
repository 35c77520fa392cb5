/** Plain domain types of knowledge-graph connections, shared with the knowledge-graph layer. */

export const CONNECTION_KINDS = ['stardog', 'sparql', 'embedded'] as const;
export type ConnectionKind = (typeof CONNECTION_KINDS)[number];

export const CREDENTIAL_KINDS = ['basic', 'bearer', 'sso', 'none'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

/** The in-process store's endpoint; an embedded connection may also leave the endpoint empty. */
export const EMBEDDED_ENDPOINT = 'embedded:';

/** A credential with its secret in clear: built in memory when needed, never stored or returned. */
export type ResolvedCredential =
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'bearer'; token: string }
  /** Nothing stored: the caller's X-SD-Auth-Token is the credential. */
  | { kind: 'sso' }
  | { kind: 'none' };

/** What the knowledge-graph layer needs to reach an app's graph. */
export interface ResolvedConnection {
  id: string;
  kind: ConnectionKind;
  endpoint: string | null;
  internalEndpoint: string | null;
  credential: ResolvedCredential;
}

/** A stored connection as the repository returns it (secret still encrypted). */
export interface ConnectionRecord {
  id: string;
  name: string;
  kind: ConnectionKind;
  endpoint: string | null;
  internalEndpoint: string | null;
  credentialKind: CredentialKind;
  username: string | null;
  secretEncrypted: string | null;
  createdAt: Date;
  updatedAt: Date;
}
