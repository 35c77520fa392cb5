import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback Google STS token endpoint (RFC 8693 token exchange), the `token_url` of an
 * `external_account` credential file: google-auth-library posts the subject token read from
 * `credential_source.file` and receives the access token that then authenticates Vertex calls.
 */
export class GoogleStsWireServer {
  readonly exchanges: Array<Record<string, string>> = [];
  private issued = 0;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<GoogleStsWireServer> {
    const server = createServer();
    const sts = new GoogleStsWireServer(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()));
        sts.exchanges.push(form);
        const ok =
          req.url === '/v1/token' &&
          form.grant_type === 'urn:ietf:params:oauth:grant-type:token-exchange' &&
          Boolean(form.subject_token);
        res.writeHead(ok ? 200 : 400, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(
            ok
              ? {
                  access_token: sts.tokenNumber(++sts.issued),
                  issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
                  token_type: 'Bearer',
                  expires_in: 3600,
                }
              : { error: 'invalid_request' },
          ),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return sts;
  }

  get tokenUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/token`;
  }

  tokenNumber(n: number): string {
    return `ya29.loopback-access-token-${n}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
