import { clientDisconnectSignal } from '../llm/client-disconnect.js';
import type { ForwardingVoiceboxBackend } from '../gateway/forwarding-voicebox-backend.js';
import { McpEndpoint, type McpCall } from './mcp-endpoint.js';

/** Request headers of MCP's streamable HTTP that the Voicebox Service's transport reads. */
const MCP_HEADERS = ['accept', 'mcp-protocol-version'] as const;

/**
 * The gateway of a split deployment: the JSON-RPC message goes to the Voicebox Service's /mcp as it
 * came, with the user's exchanged token, the app key and the end user; its answer comes back as it
 * was written (JSON, or an empty 202 for a notification).
 */
export class ForwardedMcpEndpoint extends McpEndpoint {
  constructor(private readonly forwarder: ForwardingVoiceboxBackend) {
    super();
  }

  async handle({ body, identity, audit, request, reply }: McpCall): Promise<void> {
    const headers: Record<string, string> = {};
    for (const name of MCP_HEADERS) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const answer = await this.forwarder.relayJson(
      'mcp',
      { identity, audit, requestId: request.id, signal: clientDisconnectSignal(reply) },
      body,
      headers,
    );
    void reply.status(answer.status);
    if (answer.body === undefined) return void (await reply.send());
    await reply.header('content-type', 'application/json').send(answer.body);
  }
}
