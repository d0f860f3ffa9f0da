import type { SlackMessage } from '../views/message.js';

export interface Chat {
  post(channel: string, message: SlackMessage, threadTs?: string): Promise<{ readonly ts: string }>;
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
