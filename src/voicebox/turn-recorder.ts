import { Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DomainError } from '../common/errors/domain-error.js';
import { InjectLogger } from '../observability/root-logger.js';
import type { AnswerDraft } from './answer/answer-draft.js';
import type { AskInput } from './ask-types.js';
import type { OpenConversation } from './conversations/conversations.service.js';
import { ConversationsService } from './conversations/conversations.service.js';
import type { TurnTrace } from './pipeline/turn-trace.js';

export type TurnOutcome =
  | 'answered'
  | 'no_rows'
  | 'not_answerable'
  | 'refused'
  | 'query_generated'
  | 'background_knowledge';

interface TurnStart {
  input: AskInput;
  conversation: OpenConversation;
  draft: AnswerDraft;
  trace: TurnTrace;
  question: string;
}

/** What a turn has established so far; stored only once it has finished. */
export class TurnRecord {
  standalone?: string;
  sparql?: string;
  rowCount?: number;

  constructor(
    private readonly start: TurnStart,
    private readonly conversations: ConversationsService,
    private readonly log: Logger,
  ) {}

  /** Stores the finished turn (conversation and message in one transaction) and audits it. */
  async finish(outcome: TurnOutcome): Promise<void> {
    const { conversation, draft, trace, question } = this.start;
    await this.conversations.record(conversation, {
      id: draft.messageId,
      question,
      standaloneQuestion: this.standalone ?? question,
      sparql: this.sparql ?? null,
      rowCount: this.rowCount ?? null,
      answer: draft.result,
      outcome,
      timings: trace.timings,
      promptTokens: trace.promptTokens,
      completionTokens: trace.completionTokens,
    });
    this.audit(outcome);
  }

  /** A failed turn stores nothing; the audit line still says how it ended. */
  fail(err: unknown): void {
    const code = err instanceof DomainError ? err.code : 'error';
    this.audit(code);
    if (!(err instanceof DomainError)) this.log.error({ err }, 'ask pipeline failed');
  }

  private audit(outcome: string): void {
    const { input, conversation, draft, trace } = this.start;
    input.audit?.recordAsk({
      appName: input.identity.app.name,
      conversationId: conversation.id,
      messageId: draft.messageId,
      sparql: this.sparql,
      rowCount: this.rowCount,
      outcome,
      storeMs: trace.storeTotalMs,
    });
  }
}

/** Persists finished turns and writes the ask into the request's audit record. */
@Injectable()
export class TurnRecorder {
  constructor(
    private readonly conversations: ConversationsService,
    @InjectLogger() private readonly log: Logger,
  ) {}

  start(start: TurnStart): TurnRecord {
    return new TurnRecord(start, this.conversations, this.log);
  }
}
