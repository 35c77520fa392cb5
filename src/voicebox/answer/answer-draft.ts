import {
  action,
  type ACTION,
  type AskAction,
  type AskAnswer,
  type AskEvent,
} from '../ask-types.js';

/**
 * The answer as it grows during a turn. Each change is sent on as a whole snapshot (the ask shape
 * plus `pending`), so a streaming client can always render the latest line alone.
 */
export class AnswerDraft {
  result = '';
  private readonly actions: AskAction[] = [];

  constructor(
    readonly conversationId: string,
    readonly messageId: string,
    private readonly emit: (event: AskEvent) => void,
  ) {}

  /** Sets (or replaces) the action of this type, then sends the draft. */
  set(kind: keyof typeof ACTION, value: unknown, extra?: Record<string, unknown>): void {
    const next = action(kind, value, extra);
    const at = this.actions.findIndex((a) => a.type === next.type);
    if (at >= 0) this.actions[at] = next;
    else this.actions.push(next);
    this.send();
  }

  /**
   * What the turn is doing now. Not sent on its own: it rides on the next line, the one that shows
   * the previous step's result.
   */
  status(value: string): void {
    const next = action('status', value);
    const at = this.actions.findIndex((a) => a.type === 'status');
    if (at >= 0) this.actions[at] = next;
    else this.actions.unshift(next);
  }

  add(...actions: AskAction[]): void {
    this.actions.push(...actions);
  }

  text(result: string): void {
    this.result = result;
    this.send();
  }

  /** Sends the draft as it stands, still pending. */
  send(): void {
    this.emit({ ...this.answer(), pending: true });
  }

  /** The last line; the progress status has served its purpose and is left out. */
  finish(): AskAnswer {
    const status = this.actions.findIndex((a) => a.type === 'status');
    if (status >= 0) this.actions.splice(status, 1);
    const answer = this.answer();
    this.emit({ ...answer, pending: false });
    return answer;
  }

  answer(): AskAnswer {
    return {
      result: this.result,
      conversation_id: this.conversationId,
      message_id: this.messageId,
      actions: this.actions.map((a) => ({ ...a })),
    };
  }
}
