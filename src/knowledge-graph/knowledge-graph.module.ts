import { Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { ReadinessCheck, type ReadinessProbe } from '../common/readiness/readiness-check.js';
import { AppConfig } from '../config/app-config.js';
import { ROOT_LOGGER } from '../observability/root-logger.js';
import { ck25Sources, userSource, type RdfSource } from './embedded/embedded-sources.js';
import { EmbeddedStore } from './embedded/embedded-store.js';
import { KnowledgeGraphService } from './knowledge-graph.service.js';
import { warmSparqlParser } from './sparql-parser-warmup.js';
import { SchemaCache } from './schema/schema-cache.js';
import { Sparql11Store } from './stores/sparql11-store.js';
import { SparqlStoreRegistry } from './stores/sparql-store-registry.js';
import { StardogStore } from './stores/stardog-store.js';

/** Files were checked by loadConfig (they exist, their extension names a known syntax). */
function embeddedSources(config: AppConfig): RdfSource[] {
  const { demo, rdfFiles } = config.knowledgeGraph.embedded;
  return [...(demo ? ck25Sources() : []), ...rdfFiles.map(userSource)];
}

/**
 * A probe reports the store's state and never decides when loading starts: the service process
 * starts it at bootstrap (`KnowledgeGraphModule.preload`), so the first probe is not penalised for
 * being first. A test app that never preloads opens the store on first use or first probe.
 */
@ReadinessCheck('knowledge_graph')
@Injectable()
class KnowledgeGraphReadiness implements ReadinessProbe {
  constructor(private readonly embedded: EmbeddedStore) {}

  async checkReady(): Promise<void> {
    await this.embedded.start();
  }
}

/**
 * Knowledge-graph access: Stardog and SPARQL 1.1 endpoints, the embedded oxigraph store (CK25 demo
 * by default), the read-only gate and schema extraction. Other modules inject KnowledgeGraphService.
 */
@Module({
  providers: [
    {
      provide: EmbeddedStore,
      inject: [AppConfig, ROOT_LOGGER],
      useFactory: (config: AppConfig, log: Logger) =>
        new EmbeddedStore(
          {
            sources: embeddedSources(config),
            snapshotDir: config.knowledgeGraph.embedded.storePath,
          },
          log.child({ component: 'embedded-kg' }),
        ),
    },
    {
      provide: SparqlStoreRegistry,
      inject: [EmbeddedStore, ROOT_LOGGER],
      useFactory: (embedded: EmbeddedStore, log: Logger) => {
        const kgLog = log.child({ component: 'knowledge-graph' });
        return new SparqlStoreRegistry([
          new StardogStore(kgLog),
          new Sparql11Store(kgLog),
          embedded,
        ]);
      },
    },
    {
      provide: SchemaCache,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        new SchemaCache(config.knowledgeGraph.schemaCacheTtlSeconds * 1000),
    },
    KnowledgeGraphService,
    KnowledgeGraphReadiness,
  ],
  exports: [KnowledgeGraphService, SchemaCache],
})
export class KnowledgeGraphModule implements OnApplicationShutdown {
  constructor(private readonly embedded: EmbeddedStore) {}

  /**
   * Starts loading the embedded store now, without waiting (CK25 takes 1–2 s on a busy machine),
   * and warms the SPARQL parser on this thread so the first ask does not pay for it (up to 219 ms
   * measured under load). Called by the service process at bootstrap, before it listens; a store
   * failure is logged by the store and reported by the readiness check.
   */
  preload(): { sparqlWarmUpMs: number } {
    this.embedded.start().catch(() => undefined);
    return { sparqlWarmUpMs: warmSparqlParser() };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.embedded.close();
  }
}
