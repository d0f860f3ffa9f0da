import type { Environment } from '../domain/catalog.js';
import type { Lock } from '../domain/deployment.js';
import { type SlackMessage, escape, section, slackDate } from './message.js';

const where = (env: Environment) => `*${escape(env.app)}/${escape(env.name)}*`;

/** Said in the channel: everyone who deploys there must know, and who to ask. */
export function lockedMessage(env: Environment, lock: Lock): SlackMessage {
  const text = `:lock: <@${lock.owner}> locked ${where(env)}${lock.reason ? `: ${escape(lock.reason)}` : ''}. Deploys there are refused until \`/deploy unlock ${escape(env.app)} ${escape(env.name)}\`.`;
  return { text, blocks: [section(text)] };
}

export function unlockedMessage(env: Environment, lock: Lock, by: string): SlackMessage {
  const text = `:unlock: <@${by}> unlocked ${where(env)} (locked by <@${lock.owner}> ${slackDate(lock.at)}). Deploys are allowed again.`;
  return { text, blocks: [section(text)] };
}

/** A refusal because of a lock: who locked it, since when (a Slack date), why, and the way out. */
export function lockRefusedText(lock: Lock, refused: 'lock' | 'change'): string {
  const place = `*${escape(lock.app)}/${escape(lock.env)}*`;
  const why = lock.reason ? `: ${escape(lock.reason)}` : '';
  const unlock = `\`/deploy unlock ${escape(lock.app)} ${escape(lock.env)}\``;
  const next =
    refused === 'lock'
      ? 'It is locked already.'
      : `Nothing changes there until <@${lock.owner}> or an admin runs ${unlock}.`;
  return `:lock: ${place} is locked by <@${lock.owner}> since ${slackDate(lock.at)}${why}. ${next}`;
}

export function lockRefusedMessage(lock: Lock, refused: 'lock' | 'change'): SlackMessage {
  const text = lockRefusedText(lock, refused);
  return { text, blocks: [section(text)] };
}
