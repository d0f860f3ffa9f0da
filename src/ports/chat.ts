import type { SlackMessage } from '../views/message.js';

export interface CallOptions {
  /**
   * The caller retries failures itself (the paced notifier): one attempt, and a 429 fails at once
   * with its Retry-After (`ChatError.retryAfterMs`) instead of being waited out inside the call.
   */
  readonly callerRetries?: boolean | undefined;
}

export interface PostOptions extends CallOptions {
  /** With a thread: also show the reply in the channel (Slack's `reply_broadcast`). */
  readonly broadcast?: boolean | undefined;
}

/**
 * What a failed Slack call means for the caller: `passing` may work later (HTTP 5xx, 429, network,
 * Slack's internal errors); `message`: that message cannot be edited (deleted, not ours, too old);
 * `content`: Slack refuses what was sent (too long, invalid blocks); `refused`: the channel does not
 * take it (gone, archived, not a member) or the app lacks the right.
 */
export type ChatFailure = 'passing' | 'message' | 'content' | 'refused';

export class ChatError extends Error {
  override readonly name = 'ChatError';
  constructor(
    /** The Web API method, e.g. `chat.update`. */
    readonly method: string,
    /** Slack's error string (`message_not_found`), or `http_500`, `ratelimited`, `request_error`. */
    readonly code: string,
    readonly failure: ChatFailure,
    /** From a 429's Retry-After. */
    readonly retryAfterMs?: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(`${method} failed: ${code}`, options);
  }
}

export interface Chat {
  post(
    channel: string,
    message: SlackMessage,
    threadTs?: string,
    options?: PostOptions,
  ): Promise<{ readonly ts: string }>;
  update(channel: string, ts: string, message: SlackMessage, options?: CallOptions): Promise<void>;
  postEphemeral(channel: string, user: string, message: SlackMessage): Promise<void>;
  permalink(channel: string, ts: string): Promise<string | undefined>;
  /** A name to show for a user in text AWS keeps (approval summaries). */
  displayName(userId: string): Promise<string>;
}

/** Slack user-group membership, for approver and deployer lists. */
export interface Directory {
  /** The group ids and handles (without "@") among `groups` that `userId` belongs to. */
  groupsOf(userId: string, groups: readonly { id?: string; handle?: string }[]): Promise<ReadonlySet<string>>;
}

/**
 * Slack user-group ids by handle: a configured `@handle` is plain text in Slack and notifies nobody,
 * `<!subteam^ID>` notifies the group.
 */
export interface GroupResolver {
  /** Every user group's id by its handle (without "@"); empty where user groups are unavailable. */
  groupIds(): Promise<ReadonlyMap<string, string>>;
}
