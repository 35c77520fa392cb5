import { Module } from '@nestjs/common';
import { KnowledgeGraphModule } from '../../knowledge-graph/knowledge-graph.module.js';
import { ExampleListCache } from './example-list-cache.js';
import { ExampleSparqlValidator } from './example-sparql.validator.js';
import { ExamplesController } from './examples.controller.js';
import { ExamplesRepository } from './examples.repository.js';
import { ExamplesService } from './examples.service.js';
import { StoredExampleQueries } from './stored-example-queries.js';

/**
 * Stored example queries of each app: the admin API, their validation on save, and the
 * `ExampleQueries` port the ask pipeline reads (few-shot examples and direct answers).
 */
@Module({
  imports: [KnowledgeGraphModule],
  controllers: [ExamplesController],
  providers: [
    ExamplesRepository,
    ExampleListCache,
    ExampleSparqlValidator,
    ExamplesService,
    StoredExampleQueries,
  ],
  exports: [ExamplesService, StoredExampleQueries],
})
export class ExamplesModule {}
