import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenExchangeServer } from '../support/idp/token-exchange-server.js';
import { OpenAiWireServer } from '../support/llm-wire/openai-wire-server.js';
import { sharedTestDatabaseEnv } from '../support/postgres.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  GATEWAY_CLIENT,
  PUBLIC_API,
  RESOURCE_SERVERS,
  SERVICE_API,
} from '../token-exchange/exchange-kit.js';
import { ADMIN_TOKEN, startVoicebox, type VoiceboxTestApp } from '../voicebox/voicebox-kit.js';

export const SERVICE_SCOPE = 'voicebox:ask';

/** The Voicebox Service half: only JWTs for its own audience carrying VOICEBOX_SERVICE_SCOPE. */
export function voiceboxServiceEnv(as: TokenExchangeServer): Record<string, string> {
  return {
    REQUIRE_JWT_AUTH: 'true',
    JWT_ISSUER: as.issuer,
    JWT_JWKS_URI: as.idp.jwksUri,
    JWT_AUDIENCE: SERVICE_API,
    JWT_REQUIRED_SCOPE: SERVICE_SCOPE,
  };
}

/**
 * The gateway half: users' tokens for the public API (API_AUTH_*), the voicebox work forwarded to
 * `endpoint` after exchanging them at `as` (an Okta-like custom authorization server "default").
 */
export function gatewayEnv(
  as: TokenExchangeServer,
  endpoint: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    API_AUTH_JWT_ENABLED: 'true',
    API_AUTH_ISSUER: as.issuer,
    API_AUTH_JWKS_URI: as.idp.jwksUri,
    API_AUTH_AUDIENCE: PUBLIC_API,
    VOICEBOX_SERVICE_ENDPOINT: endpoint,
    VOICEBOX_SERVICE_SCOPE: SERVICE_SCOPE,
    OKTA_DOMAIN: as.issuer,
    OKTA_AUTHORIZATION_SERVER_ID: 'default',
    OKTA_AUTHORIZATION_SERVER_AUDIENCE: SERVICE_API,
    OKTA_BACKEND_CLIENT_ID: GATEWAY_CLIENT.id,
    OKTA_BACKEND_CLIENT_SECRET: GATEWAY_CLIENT.secret,
    ...extra,
  };
}

/** What the relay saw of one request from the gateway. */
export interface RelayedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A loopback HTTP relay between the gateway and the Voicebox Service: it records each request
 * (headers and body) and passes it on byte for byte, streams included, unless told to fail the way
 * a network or a broken service does.
 */
export class RecordingRelay {
  readonly requests: RelayedRequest[] = [];
  /**
   * pass: relay; down: reset the connection; hang: never answer; status500: a bare 500; cut: relay
   * the answer's first `cutAfterLines` lines, then reset the connection (a service that dies
   * mid-stream).
   */
  mode: 'pass' | 'down' | 'hang' | 'status500' | 'cut' = 'pass';
  cutAfterLines = 1;
  /** Replaces the Authorization header on the way (a token the Voicebox Service must refuse). */
  forgedAuthorization?: string;

  private constructor(private readonly server: Server) {}

  static async start(targetUrl: () => string): Promise<RecordingRelay> {
    const server = createServer();
    const relay = new RecordingRelay(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        relay.requests.push({ path: req.url ?? '', headers: req.headers, body: body.toString() });
        if (relay.mode === 'down') return void req.socket.destroy();
        if (relay.mode === 'hang') return;
        if (relay.mode === 'status500') {
          res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
          return;
        }
        const headers = { ...req.headers };
        if (relay.forgedAuthorization) headers.authorization = relay.forgedAuthorization;
        const upstream = httpRequest(
          new URL(req.url ?? '/', targetUrl()),
          { method: req.method, headers },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            if (relay.mode !== 'cut') return void up.pipe(res);
            let seen = '';
            let done = false;
            const cut = () => {
              done = true;
              up.destroy();
              setTimeout(() => res.socket?.destroy(), 50);
            };
            res.flushHeaders();
            if (relay.cutAfterLines === 0) return cut();
            up.on('data', (chunk: Buffer) => {
              if (done) return;
              seen += chunk.toString();
              const lines = seen.split('\n');
              if (lines.length <= relay.cutAfterLines) return;
              res.write(lines.slice(0, relay.cutAfterLines).join('\n') + '\n');
              cut();
            });
          },
        );
        upstream.on('error', () => res.destroy());
        // The gateway left: leave the Voicebox Service too, as a proxy would.
        res.on('close', () => {
          if (!res.writableFinished) upstream.destroy();
        });
        upstream.end(body);
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return relay;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  reset(): void {
    this.requests.length = 0;
    this.mode = 'pass';
    this.cutAfterLines = 1;
    this.forgedAuthorization = undefined;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((done) => this.server.close(() => done()));
  }
}

/** The base URL of an instance listening on loopback. */
export const urlOf = (t: TestApp): string =>
  `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;

/**
 * One question asked of the Voicebox Service directly (not through the gateway), so that its schema
 * and label index are built before a test measures or times anything. Script the model's replies
 * for `route` first.
 */
export async function warmVoiceboxService(
  as: TokenExchangeServer,
  backend: VoiceboxTestApp,
  route: 'ask' | 'generate-query',
): Promise<void> {
  const warm = await backend.app.inject({
    method: 'POST',
    url: `/api/v1/voicebox/${route}`,
    headers: {
      authorization: `Bearer ${await as.issueUserToken('warm-up', SERVICE_API, SERVICE_SCOPE)}`,
      'x-voicebox-app-key': backend.key,
      'x-client-id': 'warm-up',
    },
    payload: { query: 'In which department is Ms. Brant?' },
  });
  if (warm.statusCode !== 200) throw new Error(`warm-up: ${warm.body}`);
}

/** A split deployment in one test process, every part on a real loopback listener. */
export interface SplitDeployment {
  /** The Okta-like authorization server, the gateway's client allowed VOICEBOX_SERVICE_SCOPE. */
  as: TokenExchangeServer;
  /** The Voicebox Service's model. */
  wire: OpenAiWireServer;
  backend: VoiceboxTestApp;
  /** Between the gateway and the Voicebox Service: what the gateway sent. */
  relay: RecordingRelay;
  /** No LLM configured: whatever it answers, the Voicebox Service worked out. */
  gateway: TestApp;
  close(): Promise<void>;
}

/**
 * The gateway and the Voicebox Service as two instances of the real application sharing one
 * PostgreSQL, a recording relay between them; `backend` and `gateway` add settings to each half.
 */
export async function startSplitDeployment(
  env: { backend?: Record<string, string>; gateway?: Record<string, string> } = {},
): Promise<SplitDeployment> {
  const as = await TokenExchangeServer.start({
    resourceServers: RESOURCE_SERVERS,
    clients: [{ ...GATEWAY_CLIENT, allowed: { [SERVICE_API]: [SERVICE_SCOPE] } }],
  });
  const wire = await OpenAiWireServer.start();
  const db = await sharedTestDatabaseEnv();
  const backend = await startVoicebox(wire, { ...db, ...voiceboxServiceEnv(as), ...env.backend });
  await backend.app.listen(0, '127.0.0.1');
  const relay = await RecordingRelay.start(() => urlOf(backend));
  const gateway = await startTestApp({
    ...db,
    VOICEBOX_ADMIN_TOKEN: ADMIN_TOKEN,
    ...gatewayEnv(as, relay.url, { VOICEBOX_SERVICE_TIMEOUT_SECONDS: '60' }),
    ...env.gateway,
  });
  await gateway.app.listen(0, '127.0.0.1');
  return {
    as,
    wire,
    backend,
    relay,
    gateway,
    async close() {
      await gateway.close();
      await relay.close();
      await backend.close();
      await wire.close();
      await as.close();
    },
  };
}
