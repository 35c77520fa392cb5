import { Module } from '@nestjs/common';
import { GatewayModule, VOICEBOX_FORWARDER } from '../gateway/gateway.module.js';
import { KnowledgeGraphModule } from '../knowledge-graph/knowledge-graph.module.js';
import { LlmModule } from '../llm/llm.module.js';
import { TokenExchangeModule } from '../token-exchange/token-exchange.module.js';
import { AnalyzeRowsStep } from './analytics/analyze-rows.step.js';
import { AskPipeline } from './ask-pipeline.js';
import { BackgroundAnswerStep } from './background/background-answer.step.js';
import { DrawChartStep } from './charts/draw-chart.step.js';
import { ConversationsRepository } from './conversations/conversations.repository.js';
import { ConversationsService } from './conversations/conversations.service.js';
import { EntityLinker } from './grounding/entity-linker.js';
import { GraphEntityLinker } from './grounding/graph-entity-linker.js';
import { ExamplesModule } from './examples/examples.module.js';
import { StoredExampleQueries } from './examples/stored-example-queries.js';
import { ExampleQueries } from './grounding/example-queries.js';
import { LexicalSchemaRetriever } from './grounding/lexical-schema-retriever.js';
import { SchemaRetriever } from './grounding/schema-retriever.js';
import { LlmCallContextFactory } from './llm-call-context.js';
import { LocalVoiceboxBackend } from './local-voicebox-backend.js';
import { ExecuteQueryStep } from './pipeline/execute-query.step.js';
import { GenerateSparqlStep } from './pipeline/generate-sparql.step.js';
import { LinkEntitiesStep } from './pipeline/link-entities.step.js';
import { ResolveQuery } from './pipeline/resolve-query.js';
import { RetrieveSchemaStep } from './pipeline/retrieve-schema.step.js';
import { RewriteQuestionStep } from './pipeline/rewrite-question.step.js';
import { RowsAnswerStep } from './pipeline/rows-answer.step.js';
import { ValidateSparqlStep } from './pipeline/validate-sparql.step.js';
import { WriteAnswerStep } from './pipeline/write-answer.step.js';
import { TurnRecorder } from './turn-recorder.js';
import { VoiceboxBackend } from './voicebox-backend.js';
import { VoiceboxController } from './voicebox.controller.js';

/**
 * The ask pipeline and its routes. Entities are linked against the graph (label index, or
 * Stardog's full-text search) and the schema is retrieved by relevance within a token budget;
 * the app's stored examples come from ExamplesModule. The routes call the VoiceboxBackend port: this
 * pipeline, or the Voicebox Service of a split deployment (GatewayModule).
 */
@Module({
  imports: [LlmModule, KnowledgeGraphModule, ExamplesModule, TokenExchangeModule, GatewayModule],
  controllers: [VoiceboxController],
  providers: [
    { provide: EntityLinker, useClass: GraphEntityLinker },
    { provide: SchemaRetriever, useClass: LexicalSchemaRetriever },
    { provide: ExampleQueries, useExisting: StoredExampleQueries },
    LlmCallContextFactory,
    ConversationsRepository,
    ConversationsService,
    RewriteQuestionStep,
    LinkEntitiesStep,
    RetrieveSchemaStep,
    GenerateSparqlStep,
    ValidateSparqlStep,
    ExecuteQueryStep,
    WriteAnswerStep,
    AnalyzeRowsStep,
    DrawChartStep,
    BackgroundAnswerStep,
    RowsAnswerStep,
    ResolveQuery,
    TurnRecorder,
    AskPipeline,
    LocalVoiceboxBackend,
    // The voicebox routes' work: forwarded in a split deployment (VOICEBOX_SERVICE_ENDPOINT), else here.
    {
      provide: VoiceboxBackend,
      inject: [VOICEBOX_FORWARDER, LocalVoiceboxBackend],
      useFactory: (forwarder: VoiceboxBackend | null, local: LocalVoiceboxBackend) =>
        forwarder ?? local,
    },
  ],
  exports: [AskPipeline, LlmCallContextFactory],
})
export class VoiceboxModule {}
