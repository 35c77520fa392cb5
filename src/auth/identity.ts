/** Who is calling, as established by the AuthGuard and attached to the request. */
export interface VoiceboxAppRef {
  id: string;
  name: string;
  connectionId: string | null;
  database: string;
  model: string | null;
  namedGraphs: string[];
  reasoning: boolean;
}

export interface VerifiedAppKey {
  keyId: string;
  app: VoiceboxAppRef;
}

export type Identity =
  | {
      kind: 'app-key';
      app: VoiceboxAppRef;
      keyId: string;
      /**
       * The app key as presented: a gateway of a split deployment forwards it (X-Voicebox-App-Key) so
       * that the Voicebox Service knows the app. Never logged.
       */
      appKey: string;
      /** From X-Client-Id: the end user. */
      clientId: string;
      /** Subject of the user's JWT in public-API JWT mode; else undefined. */
      subject?: string;
      scopes: string[];
      /** The user's own bearer token in public-API JWT mode (for token exchange). Never logged. */
      userToken?: string;
      /** X-SD-Auth-Token: overrides the connection's stored credential. Never logged. */
      sdAuthToken?: string;
    }
  | {
      kind: 'jwt';
      subject: string;
      scopes: string[];
      claims: Record<string, unknown>;
      /** The raw token, for token exchange. Never logged. */
      token: string;
    }
  | { kind: 'admin-token' };

/** The user name to show the LLM gateway (`$VOICEBOX_USER`): JWT subject, else X-Client-Id. */
export function requestUserOf(identity: Identity): string | undefined {
  switch (identity.kind) {
    case 'app-key':
      return identity.subject ?? identity.clientId;
    case 'jwt':
      return identity.subject;
    case 'admin-token':
      return undefined;
  }
}
