import type { OnApplicationShutdown } from '@nestjs/common';
import Fastify, { type FastifyInstance } from 'fastify';
import { MetricsRegistry } from './metrics.registry.js';

/**
 * `/metrics` on a listener of its own (METRICS_HOST:METRICS_PORT), not beside the public API: the
 * scrape port stays on the cluster network while the API port faces users, and the public request
 * log and HTTP histogram are not filled with scrapes. A bare Fastify instance: no guard, pipe or
 * request observer runs for a scrape.
 */
export class MetricsServer implements OnApplicationShutdown {
  readonly fastify: FastifyInstance;

  constructor(metrics: MetricsRegistry) {
    this.fastify = Fastify({ logger: false, return503OnClosing: true });
    this.fastify.get('/metrics', async (_request, reply) => {
      void reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  }

  /** Opens the listener; main.ts calls it once the public port is up. Returns the bound port. */
  async listen(port: number, host: string): Promise<number> {
    await this.fastify.listen({ port, host });
    const address = this.fastify.server.address();
    return typeof address === 'object' && address ? address.port : port;
  }

  // Nest calls this after the public server has drained, so scrapes keep working during shutdown.
  async onApplicationShutdown(): Promise<void> {
    await this.fastify.close();
  }
}
