import type { Command, Names, ParseResult } from './command.js';
import { Invalid } from './parse/args.js';
import { parseDeploy, parsePromote, parseRollback } from './parse/deploy.js';
import {
  parseApprove,
  parseHistory,
  parseLock,
  parseReject,
  parseStats,
  parseStatus,
  parseUnlock,
} from './parse/subcommands.js';
import { USAGE } from './usage.js';

type Subcommand = (args: readonly string[], names: Names) => Command;

/** What follows `/deploy` when it is not an app: each word and what reads the rest (parse/*.ts). */
const PARSERS = new Map<string, Subcommand>([
  ['status', parseStatus],
  ['approve', parseApprove],
  ['reject', parseReject],
  ['history', parseHistory],
  ['stats', parseStats],
  ['promote', parsePromote],
  ['lock', parseLock],
  ['unlock', parseUnlock],
  ['rollback', parseRollback],
]);

function parseTokens(tokens: string[], names: Names): Command | 'help' {
  const [head, ...args] = tokens;
  const word = head?.toLowerCase();
  if (word === undefined || word === 'help') return 'help';
  const subcommand = PARSERS.get(word);
  return subcommand === undefined ? parseDeploy(tokens, names) : subcommand(args, names);
}

/** Turns `/deploy` text into a command, a help request, or a message saying what is wrong. Never throws on any text. */
export function parseCommand(text: string, names: Names): ParseResult {
  const tokens = text
    .replace(/\u00a0/g, ' ')
    .trim()
    .split(/\s+/)
    .filter((t) => t !== '');
  try {
    const result = parseTokens(tokens, names);
    return result === 'help' ? { kind: 'help' } : { kind: 'command', command: result };
  } catch (e) {
    // Only the parser's own refusals are answers; anything else is a bug the properties must be able to find.
    if (e instanceof Invalid)
      return { kind: 'invalid', message: e.message, usage: USAGE[e.usageKey], usageKey: e.usageKey };
    throw e;
  }
}

export function namesOf(catalog: {
  apps: readonly { name: string; environments: readonly { name: string }[] }[];
}): Names {
  return { apps: catalog.apps.map((a) => ({ name: a.name, envs: a.environments.map((e) => e.name) })) };
}
