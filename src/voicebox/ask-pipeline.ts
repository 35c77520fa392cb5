import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ConnectionsService } from '../apps/connections.service.js';
import { DomainError } from '../common/errors/domain-error.js';
import { LlmClient } from '../llm/llm-client.js';
import { llmNotConfigured } from '../llm/llm-errors.js';
import { NotConfiguredLlmClient } from '../llm/not-configured-llm-client.js';
import { AnalyzeRowsStep } from './analytics/analyze-rows.step.js';
import { statisticsText } from './analytics/row-statistics.js';
import { AnswerDraft } from './answer/answer-draft.js';
import { BackgroundAnswerStep } from './background/background-answer.step.js';
import { EventChannel } from './answer/event-channel.js';
import { kgTargetOf } from './app-kg-target.js';
import type { AskAnswer, AskEvent, AskInput } from './ask-types.js';
import { DrawChartStep } from './charts/draw-chart.step.js';
import { ConversationsService } from './conversations/conversations.service.js';
import { parseDirectives } from './directives.js';
import {
  DIRECT_ANSWER_SCORE,
  ExampleQueries,
  type ExampleQuery,
} from './grounding/example-queries.js';
import { Tracing } from '../observability/tracing.js';
import { LlmCallContextFactory } from './llm-call-context.js';
import { LinkEntitiesStep } from './pipeline/link-entities.step.js';
import { ResolveQuery, type Resolution } from './pipeline/resolve-query.js';
import { RetrieveSchemaStep } from './pipeline/retrieve-schema.step.js';
import { RewriteQuestionStep } from './pipeline/rewrite-question.step.js';
import { RowsAnswerStep } from './pipeline/rows-answer.step.js';
import type { TurnContext } from './pipeline/turn-context.js';
import { TurnTrace } from './pipeline/turn-trace.js';
import { WriteAnswerStep } from './pipeline/write-answer.step.js';
import { sparqlPrompt } from './prompts.js';
import { TurnRecorder, type TurnOutcome } from './turn-recorder.js';

interface Mode {
  /** Run the query and write an answer (ask), or stop at the validated query (generate-query). */
  execute: boolean;
  /** Stream the answer text as the model writes it. */
  streamText: boolean;
}

/**
 * The ask pipeline: question → standalone question → entities → schema → validated SPARQL → rows →
 * cited answer, stored as one conversation turn. Every face (HTTP, OpenAI-compatible route, MCP)
 * calls `ask`, `askStream` or `generateQuery`.
 */
@Injectable()
export class AskPipeline {
  constructor(
    private readonly llm: LlmClient,
    private readonly connections: ConnectionsService,
    private readonly conversations: ConversationsService,
    private readonly llmContexts: LlmCallContextFactory,
    private readonly examples: ExampleQueries,
    private readonly rewrite: RewriteQuestionStep,
    private readonly linkEntities: LinkEntitiesStep,
    private readonly retrieveSchema: RetrieveSchemaStep,
    private readonly resolveQuery: ResolveQuery,
    private readonly writeAnswer: WriteAnswerStep,
    private readonly analyze: AnalyzeRowsStep,
    private readonly drawChart: DrawChartStep,
    private readonly background: BackgroundAnswerStep,
    private readonly rowsAnswer: RowsAnswerStep,
    private readonly recorder: TurnRecorder,
    private readonly tracing: Tracing,
  ) {}

  ask(input: AskInput, signal?: AbortSignal): Promise<AskAnswer> {
    return this.last(input, signal, { execute: true, streamText: false });
  }

  generateQuery(input: AskInput, signal?: AbortSignal): Promise<AskAnswer> {
    return this.last(input, signal, { execute: false, streamText: false });
  }

  /** One event per step as it happens; the first leaves before any LLM call is made. */
  askStream(input: AskInput, signal?: AbortSignal): AsyncIterable<AskEvent> {
    const stop = new AbortController();
    const channel = new EventChannel<AskEvent>(() => stop.abort(new Error('stream closed')));
    const both = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
    this.turn(input, both, { execute: true, streamText: true }, (e) => channel.push(e)).then(
      () => channel.end(),
      (err: unknown) => channel.fail(err),
    );
    return channel;
  }

  private async last(input: AskInput, signal: AbortSignal | undefined, mode: Mode) {
    return this.turn(input, signal, mode, () => undefined);
  }

  private async turn(
    input: AskInput,
    signal: AbortSignal | undefined,
    mode: Mode,
    emit: (e: AskEvent) => void,
  ): Promise<AskAnswer> {
    const { question, directives } = parseDirectives(input.question);
    if (!question) {
      throw new DomainError('invalid_input', 'request.invalid', 'Invalid request: query is empty');
    }
    const { identity } = input;
    // With no model, a question is answered only by a stored query that matches it directly; the
    // question is taken as it stands (rewriting a follow-up needs the model).
    const modelless = this.llm instanceof NotConfiguredLlmClient;
    let stored: ExampleQuery[] | undefined;
    if (modelless) {
      stored = await this.examples.similar({ appId: identity.app.id, question, limit: 3 });
      if (!(stored[0]?.score >= DIRECT_ANSWER_SCORE)) {
        throw llmNotConfigured(
          'only questions that match a stored example query are answered without one',
        );
      }
    }
    const conversation = await this.conversations.open(input.conversationId, {
      appId: identity.app.id,
      clientId: identity.clientId,
      subject: identity.subject,
    });
    const draft = new AnswerDraft(conversation.id, randomUUID(), emit);
    const trace = new TurnTrace(this.tracing);
    const record = this.recorder.start({ input, conversation, draft, trace, question });
    try {
      // Before the first streamed line: a refused or failed token exchange is still an HTTP error.
      const llm = await this.llmContexts.create({
        identity,
        signal,
        audit: input.audit,
        onUsage: trace.onUsage,
      });
      draft.set('status', 'understanding the question');
      const ctx: TurnContext = {
        identity,
        target: kgTargetOf(identity.app, await this.connections.resolve(identity.app.connectionId)),
        kg: {
          sdAuthToken: identity.sdAuthToken,
          signal,
          requestUser: identity.clientId,
          onStoreTime: trace.onStoreTime,
        },
        llm,
        trace,
        directives,
      };
      const history = input.history ?? conversation.history;
      const standalone = modelless
        ? question
        : await trace.time('rewrite_question', () => this.rewrite.run(ctx, question, history));
      record.standalone = standalone;
      draft.status('linking the entities the question names');
      draft.set('rewritten', standalone);
      // The stored examples are read from PostgreSQL while the entities are linked.
      const [examples, entities] = await Promise.all([
        stored ?? this.examples.similar({ appId: identity.app.id, question: standalone, limit: 3 }),
        trace.time('link_entities', () => this.linkEntities.run(ctx, standalone)),
      ]);
      stored = examples;
      draft.status('writing the query');
      draft.set('entities', entities);
      const { schema, context } = await trace.time('retrieve_schema', () =>
        this.retrieveSchema.run(ctx, standalone, entities),
      );
      const prompt = sparqlPrompt({
        question: standalone,
        schemaText: context.text,
        entities,
        examples: stored,
      });
      const direct = stored.find((e) => e.score >= DIRECT_ANSWER_SCORE);
      if (direct) {
        trace.grounding.direct_example = {
          question: direct.question,
          score: Math.round(direct.score * 1000) / 1000,
        };
      }
      const resolution = await this.resolveQuery.run(ctx, {
        prompt,
        schema,
        execute: mode.execute,
        stored: direct?.sparql,
        maxRepairs: modelless ? 0 : undefined,
        onQuery: (sparql) => {
          if (mode.execute) draft.status('checking and running the query');
          draft.set('sparql', (record.sparql = sparql));
        },
        onRows: (count) => {
          draft.status('writing the answer');
          draft.set('rowCount', (record.rowCount = count));
        },
      });
      const outcome = await this.conclude(ctx, resolution, draft, {
        question,
        standalone,
        entities,
        mode,
        // Without a model the service writes the answer itself, from the stored query's rows.
        answeredBy: modelless ? direct : undefined,
      });
      if (directives.has('debug')) draft.add(...trace.debugActions());
      await record.finish(outcome);
      return draft.finish();
    } catch (err) {
      record.fail(err);
      throw err;
    }
  }

  /** The result text for each way a turn can end. */
  private async conclude(
    ctx: TurnContext,
    r: Resolution,
    draft: AnswerDraft,
    t: {
      question: string;
      standalone: string;
      entities: AnswerInputEntities;
      mode: Mode;
      answeredBy?: ExampleQuery;
    },
  ): Promise<TurnOutcome> {
    switch (r.kind) {
      case 'valid':
        draft.text(r.sparql);
        return 'query_generated';
      case 'invalid':
      case 'refused':
        draft.set('problem', r.problems);
        if (r.kind === 'invalid' && t.mode.execute && this.background.enabled(ctx)) {
          return this.answerFromBackground(ctx, draft, t);
        }
        draft.text(r.kind === 'refused' ? REFUSED : NOT_ANSWERABLE);
        return r.kind === 'refused' ? 'refused' : 'not_answerable';
      case 'ran': {
        if (r.rows.count === 0 && this.background.enabled(ctx)) {
          return this.answerFromBackground(ctx, draft, t);
        }
        const chart = this.drawChart.run(ctx, r.rows, t.question);
        if (chart) draft.set('chart', chart.spec, { chart_type: chart.kind });
        const statistics = this.analyze.run(ctx, r.rows);
        if (statistics) draft.set('statistics', statistics);
        const stored = t.answeredBy;
        if (stored) {
          draft.result = await ctx.trace.time('write_answer', () =>
            this.rowsAnswer.run(ctx, { rows: r.rows, storedQuestion: stored.question }),
          );
          return r.rows.count === 0 ? 'no_rows' : 'answered';
        }
        const onText = t.mode.streamText ? (text: string) => draft.text(text) : undefined;
        const answer = await ctx.trace.time('write_answer', () =>
          this.writeAnswer.run(
            ctx,
            {
              question: t.standalone,
              sparql: r.sparql,
              rows: r.rows,
              entities: t.entities,
              statistics: statistics && statisticsText(statistics),
            },
            onText,
          ),
        );
        draft.result = answer;
        return r.rows.count === 0 ? 'no_rows' : 'answered';
      }
    }
  }

  /** The graph holds no answer: the external model's, marked as such in the text and an action. */
  private async answerFromBackground(
    ctx: TurnContext,
    draft: AnswerDraft,
    t: { standalone: string; mode: Mode },
  ): Promise<TurnOutcome> {
    const onText = t.mode.streamText ? (text: string) => draft.text(text) : undefined;
    const answer = await ctx.trace.time('background_answer', () =>
      this.background.run(ctx, t.standalone, onText),
    );
    draft.set('background', 'This answer does not come from the knowledge graph.', {
      source: 'external_llm',
      provider: answer.provider,
      model: answer.model,
    });
    draft.text(answer.text);
    return 'background_knowledge';
  }
}

type AnswerInputEntities = Parameters<WriteAnswerStep['run']>[1]['entities'];

export const NOT_ANSWERABLE =
  'This question could not be answered from the knowledge graph: the query written for it was still invalid after repairs, so it was not run. The last query and its problem are in the actions.';

export const REFUSED =
  'This question cannot be answered: the query written for it would change the knowledge graph, and only read-only queries are run. It was not run.';
