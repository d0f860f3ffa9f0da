import type {
  ActionsBlock,
  Button,
  ContextBlock,
  DividerBlock,
  HeaderBlock,
  KnownBlock,
  SectionBlock,
} from '@slack/types';
import { escapeMrkdwn } from '../lib/mrkdwn.js';

/** Block Kit as Slack's own types; views build it from domain values and nothing here talks to Slack. */

export interface SlackMessage {
  /** Notification and screen-reader fallback; always set. */
  readonly text: string;
  readonly blocks?: readonly KnownBlock[] | undefined;
}

export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  field: 2000,
  fields: 10,
  header: 150,
  context: 10,
  button: 75,
  text: 4000,
};

export function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Slack mrkdwn treats &, < and > as control characters. */
export { escapeMrkdwn as escape };

export const header = (text: string): HeaderBlock => ({
  type: 'header',
  text: { type: 'plain_text', text: clip(text, LIMITS.header), emoji: true },
});

export const section = (mrkdwn: string): SectionBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: clip(mrkdwn, LIMITS.sectionText) },
});

export const fields = (items: readonly string[]): SectionBlock => ({
  type: 'section',
  fields: items.slice(0, LIMITS.fields).map((t) => ({ type: 'mrkdwn', text: clip(t, LIMITS.field) })),
});

export const context = (items: readonly string[]): ContextBlock => ({
  type: 'context',
  elements: items.slice(0, LIMITS.context).map((t) => ({ type: 'mrkdwn', text: clip(t, LIMITS.field) })),
});

export const divider = (): DividerBlock => ({ type: 'divider' });

export interface ButtonSpec {
  readonly text: string;
  readonly actionId: string;
  readonly value: string;
  readonly style?: 'primary' | 'danger' | undefined;
  readonly confirm?:
    | { readonly title: string; readonly text: string; readonly confirm: string; readonly deny: string }
    | undefined;
}

export const actions = (blockId: string, buttons: readonly ButtonSpec[]): ActionsBlock => ({
  type: 'actions',
  block_id: blockId,
  elements: buttons.map((b): Button => ({
    type: 'button',
    action_id: b.actionId,
    text: { type: 'plain_text', text: clip(b.text, LIMITS.button) },
    value: b.value,
    ...(b.style ? { style: b.style } : {}),
    ...(b.confirm
      ? {
          confirm: {
            title: { type: 'plain_text', text: clip(b.confirm.title, 100) },
            text: { type: 'plain_text', text: clip(b.confirm.text, 300) },
            confirm: { type: 'plain_text', text: clip(b.confirm.confirm, 30) },
            deny: { type: 'plain_text', text: clip(b.confirm.deny, 30) },
            ...(b.style === 'danger' ? { style: 'danger' } : {}),
          },
        }
      : {}),
  })),
});

/** Keeps a message inside the block limit, saying how much was left out. */
export function capBlocks(
  blocks: readonly KnownBlock[],
  reserve = 0,
  note = (n: number) => `…and ${n} more`,
): KnownBlock[] {
  const max = LIMITS.blocks - reserve;
  if (blocks.length <= max) return [...blocks];
  const kept = blocks.slice(0, max - 1);
  return [...kept, context([note(blocks.length - kept.length)])];
}

export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d`;
}

/**
 * A link Slack shows as `label`; undefined unless the URL is http(s). `|` and `>` would end the
 * link early, so they (and `<`) are percent-encoded; the label is escaped like any other text.
 */
export function link(url: string | undefined, label: string): string | undefined {
  if (!url || !/^https?:\/\//.test(url)) return undefined;
  const safe = url.replace(/[|<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `<${safe}|${escapeMrkdwn(label)}>`;
}

/** Slack renders this in the reader's own time zone. */
export function slackDate(ms: number, format = '{date_short_pretty} {time}'): string {
  const fallback = new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  return `<!date^${Math.floor(ms / 1000)}^${format}|${fallback}>`;
}
