/** A Voicebox app: which graph to ask (connection, database, model, named graphs, reasoning). */
export interface AppRecord {
  id: string;
  name: string;
  connectionId: string | null;
  database: string;
  /** The reasoning schema (Stardog "model"); null for the default. */
  model: string | null;
  namedGraphs: string[];
  reasoning: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type AppWrite = Omit<AppRecord, 'createdAt' | 'updatedAt'>;

export interface AppKeyRecord {
  id: string;
  appId: string;
  name: string;
  prefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}
