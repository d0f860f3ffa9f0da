import type { Deployment } from '../domain/deployment.js';
import { sayFact } from './facts/index.js';
import { escape } from './message.js';

/**
 * Why a deployment ended as it did (or is being rolled back), as mrkdwn: its cause, a fact, worded;
 * or, in rows older than facts and where a target still reported text, its reason, escaped.
 * `max`: the text kept of a long one (entities and marks are never cut in two).
 */
export function sayWhy(d: Pick<Deployment, 'cause' | 'reason'>, max?: number): string | undefined {
  if (d.cause) return shorten(sayFact(d.cause), max);
  if (d.reason === undefined) return undefined;
  return escape(max !== undefined && d.reason.length > max ? `${d.reason.slice(0, max)}…` : d.reason);
}

function shorten(mrkdwn: string, max: number | undefined): string {
  if (max === undefined || mrkdwn.length <= max) return mrkdwn;
  // Markup cut in two would show as text or swallow what follows: an entity (&amp;) or a mention,
  // date or link (<…>) is cut before it, and a code span left open is closed.
  const cut = mrkdwn
    .slice(0, max)
    .replace(/&[a-z]*$/, '')
    .replace(/<[^>]*$/, '');
  const ticks = (cut.match(/`/g) ?? []).length;
  return ticks % 2 === 1 ? `${cut}…\`` : `${cut}…`;
}
