import type { SlackUser } from '../slack/types.js';

/** What Slack sends an app when a person acts, built as Slack builds it (the sandbox page's requests). */

/** What a person typed, as Slack's client sends it: &, < and > escaped (only those three). */
export function escapeTyped(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Encodes what a person typed the way Slack's client does: &, < and > escaped, and `@name`
 * turned into a mention of that user (or of Capstan, `botUserId`).
 */
export function encodeTyped(
  text: string,
  users: readonly SlackUser[],
  botUserId: string,
): { text: string; mentionsBot: boolean } {
  const escaped = escapeTyped(text);
  let mentionsBot = false;
  const encoded = escaped.replace(/(^|[\s(])@([a-z0-9._-]+)/gi, (all, pre: string, name: string) => {
    if (name.toLowerCase() === 'capstan') {
      mentionsBot = true;
      return `${pre}<@${botUserId}>`;
    }
    const u = users.find((x) => x.name.toLowerCase() === name.toLowerCase());
    return u ? `${pre}<@${u.id}>` : all;
  });
  return { text: encoded, mentionsBot };
}

/** An Events API delivery's body; `seq` makes its event id unique. */
export function eventBody(event: Record<string, unknown>, seq: number): string {
  return JSON.stringify({
    token: 'sandbox',
    team_id: 'T0SANDBOX',
    api_app_id: 'A0CAPSTAN',
    type: 'event_callback',
    event_id: `Ev${Date.now()}${seq}`,
    event_time: Math.floor(Date.now() / 1000),
    event,
  });
}

/** Where an action happens and who acts, with the URLs Slack hands out for it. */
export interface Acting {
  readonly user: SlackUser;
  readonly channel: { readonly id: string; readonly name: string };
  readonly responseUrl: string;
  readonly triggerId: string;
}

/** A slash command's form body. */
export function commandBody(a: Acting, text: string): string {
  return new URLSearchParams({
    token: 'sandbox',
    team_id: 'T0SANDBOX',
    team_domain: 'sandbox',
    channel_id: a.channel.id,
    channel_name: a.channel.name,
    user_id: a.user.id,
    user_name: a.user.name,
    command: '/deploy',
    text,
    response_url: a.responseUrl,
    trigger_id: a.triggerId,
    api_app_id: 'A0CAPSTAN',
  }).toString();
}

const slackUser = (u: SlackUser) => ({ id: u.id, username: u.name, name: u.name, team_id: 'T0SANDBOX' });

/** A button click on message `ts`. */
export function blockActions(
  a: Acting,
  ts: string,
  message: { text: string; blocks: unknown[] } | undefined,
  action: { actionId: string; value: string; blockId: string },
) {
  return {
    type: 'block_actions',
    user: slackUser(a.user),
    api_app_id: 'A0CAPSTAN',
    token: 'sandbox',
    container: { type: 'message', message_ts: ts, channel_id: a.channel.id, is_ephemeral: false },
    trigger_id: a.triggerId,
    team: { id: 'T0SANDBOX', domain: 'sandbox' },
    channel: { id: a.channel.id, name: a.channel.name },
    message: message ? { ts, text: message.text, blocks: message.blocks } : undefined,
    response_url: a.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: action.actionId,
        block_id: action.blockId,
        value: action.value,
        text: { type: 'plain_text', text: action.actionId },
        action_ts: String(Date.now() / 1000),
      },
    ],
  };
}

/** A modal submitted with plain text inputs: `values` by block id, then action id. */
export function viewSubmission(
  user: SlackUser,
  triggerId: string,
  view: Record<string, unknown>,
  values: Record<string, Record<string, string>>,
) {
  const state = {
    values: Object.fromEntries(
      Object.entries(values).map(([block, actions]) => [
        block,
        Object.fromEntries(
          Object.entries(actions).map(([a, v]) => [a, { type: 'plain_text_input', value: v }]),
        ),
      ]),
    ),
  };
  return {
    type: 'view_submission',
    team: { id: 'T0SANDBOX', domain: 'sandbox' },
    user: slackUser(user),
    api_app_id: 'A0CAPSTAN',
    token: 'sandbox',
    trigger_id: triggerId,
    view: { ...view, state, hash: 'sandbox' },
  };
}
