import { Injectable } from '@nestjs/common';
import { Database } from '../../database/database.js';
import type { HistoryTurn } from '../prompts.js';

export interface ConversationOwner {
  appId: string;
  clientId: string;
  subject?: string;
}

export interface StoredTurn {
  id: string;
  question: string;
  standaloneQuestion: string;
  sparql: string | null;
  rowCount: number | null;
  answer: string;
  outcome: string;
  timings: Record<string, number>;
  promptTokens: number;
  completionTokens: number;
}

/** The only place that reads and writes `conversations` and `conversation_messages`. */
@Injectable()
export class ConversationsRepository {
  constructor(private readonly db: Database) {}

  /**
   * The last `limit` turns of the conversation, oldest first, when it exists and belongs to this app
   * and client; null otherwise. One round trip: it is on every follow-up's critical path.
   */
  async ownedHistory(
    id: string,
    owner: ConversationOwner,
    limit: number,
  ): Promise<HistoryTurn[] | null> {
    const { rows } = await this.db.query<{
      question: string | null;
      standalone_question: string | null;
      answer: string | null;
    }>(
      `SELECT m.question, m.standalone_question, m.answer
       FROM conversations c
       LEFT JOIN LATERAL (
         SELECT question, standalone_question, answer, created_at FROM conversation_messages
         WHERE conversation_id = c.id ORDER BY created_at DESC LIMIT $4) m ON true
       WHERE c.id = $1 AND c.app_id = $2 AND c.client_id = $3
       ORDER BY m.created_at`,
      [id, owner.appId, owner.clientId, limit],
    );
    if (rows.length === 0) return null;
    // A conversation is stored with its first turn, so a row without one is not expected; skip it.
    return rows
      .filter((r) => r.question !== null)
      .map((r) => ({
        question: r.question!,
        standaloneQuestion: r.standalone_question!,
        answer: r.answer!,
      }));
  }

  /**
   * Stores one finished turn, creating the conversation on its first turn, in one statement (one
   * round trip, atomic as a transaction: the turn is on the ask's critical path, and a turn stored
   * is readable by the next request on any replica). Returns false (and stores nothing) when the id
   * belongs to another app or client, which can only happen if someone else created the same id
   * meanwhile: the upsert then updates no row and the message has nothing to hang on.
   */
  async saveTurn(
    conversationId: string,
    owner: ConversationOwner,
    t: StoredTurn,
  ): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `WITH owned AS (
         INSERT INTO conversations (id, app_id, client_id, subject) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET updated_at = now()
           WHERE conversations.app_id = EXCLUDED.app_id
             AND conversations.client_id = EXCLUDED.client_id
         RETURNING id)
       INSERT INTO conversation_messages (id, conversation_id, question, standalone_question, sparql,
         row_count, answer, outcome, timings, prompt_tokens, completion_tokens)
       SELECT $5, owned.id, $6, $7, $8, $9, $10, $11, $12, $13, $14 FROM owned`,
      [
        conversationId,
        owner.appId,
        owner.clientId,
        owner.subject ?? null,
        t.id,
        t.question,
        t.standaloneQuestion,
        t.sparql,
        t.rowCount,
        t.answer,
        t.outcome,
        JSON.stringify(t.timings),
        t.promptTokens,
        t.completionTokens,
      ],
    );
    return (rowCount ?? 0) > 0;
  }
}
