import { USAGE } from '../commands/usage.js';
import { type SlackMessage, context, escape, section, slackDate } from './message.js';

const LINES: readonly [string, string][] = [
  [
    USAGE.deploy,
    "deploy an image tag (unless `to <env>`: this channel's environment, else the app's first); `--dry-run` shows the plan only",
  ],
  [USAGE.status, 'which version runs where, rollouts in progress, locks; recent events with `<env>`'],
  [USAGE.approve, 'approve a pending release'],
  [USAGE.reject, 'reject a pending release'],
  [USAGE.rollback, 'go back to the last good version, or to a named one'],
  [USAGE.history, 'the last 10 deploys and rollbacks; `--csv`: all of them as a file'],
  [USAGE.promote, 'deploy exactly the image verified in another environment'],
  [USAGE.stats, 'delivery figures (DORA) from the ledger, with a chart'],
  [USAGE.lock, 'stop deploys to an environment'],
  [USAGE.unlock, 'allow deploys again (the owner or an admin)'],
  [USAGE.help, 'this message'],
];

/** Usage is text: `<app>` would otherwise reach Slack as a link to "app". */
export function helpMessage(apps: readonly string[]): SlackMessage {
  const body = LINES.map(([u, what]) => `\`${escape(u)}\`\n      ${escape(what)}`).join('\n');
  return {
    text: 'Capstan: /deploy commands',
    blocks: [
      section(`*Capstan* ships container images to AWS and keeps humans in control.\n\n${body}`),
      context([`Apps: ${apps.length > 0 ? apps.map(escape).join(', ') : 'none configured'}`]),
    ],
  };
}

export function invalidMessage(message: string, usage: string): SlackMessage {
  return {
    text: `${escape(message)} Usage: ${escape(usage)}`,
    blocks: [section(`${escape(message)}\nUsage: \`${escape(usage)}\``)],
  };
}

export function notice(text: string): SlackMessage {
  return { text, blocks: [section(text)] };
}

/** A deploy refused by a freeze, its end in each reader's own time zone, and the command that overrides it. */
export function frozenRequestText(
  where: string,
  freeze: { readonly name: string; readonly endsAt: number },
  cmd: { readonly app: string; readonly version: string; readonly env: string },
): string {
  return `:snowflake: *${escape(where)}* is frozen (${escape(freeze.name)}) until ${slackDate(freeze.endsAt)}. Deploys and releases wait until then; rollbacks are still allowed. An admin can override: \`/deploy ${cmd.app} ${cmd.version} to ${cmd.env} --override "reason"\`.`;
}

/** A freeze refusal; the ledger's text has no time in it, the end is a Slack date. */
export function frozenRefusedMessage(message: string, endsAt: number): SlackMessage {
  return notice(`:snowflake: ${message} The freeze ends ${slackDate(endsAt)}.`);
}
