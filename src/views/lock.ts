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
