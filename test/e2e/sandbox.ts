import type { StoredMessage } from '../../sandbox/slackApi.js';
import { type Sandbox, startSandbox } from '../../sandbox/main.js';

/** A sandbox with time sped up: AWS moves a step every 60 ms, Capstan polls every 50 ms. */
export function fastSandbox(): Promise<Sandbox> {
  return startSandbox({
    tickMs: 60,
    pollMs: 50,
    timing: { slackPostIntervalMs: 20, slackUpdateIntervalMs: 20, changeSetPollMs: 20, expiryCheckMs: 100 },
  });
}

export const text = (m: StoredMessage) => `${m.text} ${JSON.stringify(m.blocks)}`;

export function find(
  sb: Sandbox,
  channel: string,
  predicate: (m: StoredMessage) => boolean,
  timeoutMs = 15_000,
) {
  return sb.slack.waitFor(() => sb.slack.channelMessages(channel).find(predicate), timeoutMs);
}

/** The latest message only `user` sees, after `since` messages existed. */
export function ephemeral(
  sb: Sandbox,
  user: string,
  predicate: (m: StoredMessage) => boolean,
  timeoutMs = 10_000,
) {
  return sb.slack.waitFor(
    () => [...sb.slack.messages].reverse().find((m) => m.ephemeralTo === user && predicate(m)),
    timeoutMs,
  );
}

/** Clicks the button `actionId` on message `m`, as `user`, through the page's own path. */
export async function click(sb: Sandbox, m: StoredMessage, actionId: string, user: string): Promise<void> {
  for (const b of m.blocks as {
    type: string;
    block_id?: string;
    elements?: { action_id: string; value?: string }[];
  }[]) {
    const el = b.type === 'actions' ? b.elements?.find((e) => e.action_id === actionId) : undefined;
    if (el) {
      await sb.ui.click(user, m.channel, m.ts, actionId, el.value ?? '', b.block_id ?? '');
      return;
    }
  }
  throw new Error(`no ${actionId} button on ${m.text}`);
}

/** Thread details are paced behind the outcome: waits until the thread contains every needle. */
export function threadWith(sb: Sandbox, m: StoredMessage, ...needles: string[]): Promise<string> {
  return sb.slack.waitFor(() => {
    const t = sb.slack
      .thread(m.channel, m.ts)
      .map((x) => x.text)
      .join('\n');
    return needles.every((n) => t.includes(n)) ? t : undefined;
  });
}

/** The reason a finished deployment's message gives (its `*Why:*` section), as Slack shows it. */
export function why(m: StoredMessage): string | undefined {
  for (const b of m.blocks as { type: string; text?: { text?: string } }[]) {
    const t = b.type === 'section' ? b.text?.text : undefined;
    if (t?.startsWith('*Why:* ')) return t.slice('*Why:* '.length);
  }
  return undefined;
}

/** Asks `/deploy status todobackend <env>` in `channel` and returns the answer's text. */
export async function statusOf(sb: Sandbox, channel: string, env: string): Promise<string> {
  const asked = sb.slack.messages.length;
  await sb.ui.command('U0ALICE', channel, `status todobackend ${env}`);
  const prefix = `Status of todobackend/${env}`;
  const answer = await sb.slack.waitFor(() =>
    sb.slack.messages.slice(asked).find((m) => m.channel === channel && m.text.startsWith(prefix)),
  );
  return answer.text;
}
