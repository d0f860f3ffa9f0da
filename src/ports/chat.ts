import type { SlackMessage } from '../views/message.js';

export interface PostOptions {
  /** With a thread: also show the reply in the channel (Slack's `reply_broadcast`). */
  readonly broadcast?: boolean | undefined;
}

export interface Chat {
  post(
    channel: string,
    message: SlackMessage,
    threadTs?: string,
    options?: PostOptions,
  ): Promise<{ readonly ts: string }>;
  update(channel: string, ts: string, message: SlackMessage): Promise<void>;
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
