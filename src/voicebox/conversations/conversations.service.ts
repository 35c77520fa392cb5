import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { isUuid } from '../../apps/uuid.js';
import { DomainError } from '../../common/errors/domain-error.js';
import type { HistoryTurn } from '../prompts.js';
import {
  ConversationsRepository,
  type ConversationOwner,
  type StoredTurn,
} from './conversations.repository.js';

/** Turns of history given to the rewrite step: enough for pronouns, small enough for the prompt. */
const HISTORY_TURNS = 6;

export interface OpenConversation {
  id: string;
  owner: ConversationOwner;
  history: HistoryTurn[];
}

/**
 * Conversations belong to the app and the X-Client-Id that started them; to anyone else they do
 * not exist (404, never 403, so ids cannot be probed). A conversation is written only when a turn
 * has finished, so a failed turn leaves nothing behind.
 */
@Injectable()
export class ConversationsService {
  constructor(private readonly repo: ConversationsRepository) {}

  async open(
    conversationId: string | undefined,
    owner: ConversationOwner,
  ): Promise<OpenConversation> {
    if (conversationId === undefined) return { id: randomUUID(), owner, history: [] };
    const history = isUuid(conversationId)
      ? await this.repo.ownedHistory(conversationId, owner, HISTORY_TURNS)
      : null;
    if (!history) throw notFound(conversationId);
    return { id: conversationId, owner, history };
  }

  async record(conversation: OpenConversation, turn: StoredTurn): Promise<void> {
    const saved = await this.repo.saveTurn(conversation.id, conversation.owner, turn);
    if (!saved) throw notFound(conversation.id);
  }
}

function notFound(id: string): DomainError {
  return new DomainError('not_found', 'conversation.not_found', `No conversation with id ${id}`);
}
