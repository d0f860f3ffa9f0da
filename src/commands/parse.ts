import { closest } from '../lib/closest.js';
import { isImageTag } from '../domain/version.js';
import type { Command, Names, ParseResult } from './command.js';
import { USAGE, type UsageKey } from './usage.js';

const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9-]{2,63}$/;
const SUBCOMMANDS = [
  'status',
  'approve',
  'reject',
  'rollback',
  'history',
  'lock',
  'unlock',
  'help',
  'stats',
  'promote',
];
/** `--days` of `/deploy stats`: a default month, at most a year. */
const DAYS = { default: 30, max: 365 } as const;

/** Internal to the parser: unwinds to parseCommand, which turns it into a result. */
class Invalid extends Error {
  constructor(
    message: string,
    readonly usageKey: UsageKey,
  ) {
    super(message);
  }
}

function invalid(message: string, key: UsageKey): never {
  throw new Invalid(message, key);
}

/**
 * What was typed, quoted exactly (clipped when long). In a code span Slack shows `*`, `_` and `~`
 * as they are; text with a backtick of its own is quoted instead. The view escapes `&`, `<`, `>`.
 */
function show(s: string): string {
  const clipped = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  return clipped.includes('`') ? `"${clipped}"` : `\`${clipped}\``;
}

function resolveApp(names: Names, app: string | undefined, key: UsageKey) {
  if (app === undefined) invalid('Which app? Name one.', key);
  const found = names.apps.find((a) => a.name === app);
  if (found) return found;
  const hint = closest(
    app,
    names.apps.map((a) => a.name),
  );
  const known = names.apps.map((a) => a.name).join(', ');
  invalid(
    hint
      ? `Unknown app ${show(app)}. Did you mean ${hint}?`
      : `Unknown app ${show(app)}. Known apps: ${known}.`,
    key,
  );
}

function resolveEnv(
  app: Names['apps'][number],
  env: string | undefined,
  key: UsageKey,
  required: boolean,
): string {
  if (env === undefined) {
    if (required) invalid(`Which environment of ${app.name}? One of: ${app.envs.join(', ')}.`, key);
    const first = app.envs[0];
    if (first === undefined) invalid(`${app.name} has no environments configured.`, key);
    return first;
  }
  if (app.envs.includes(env)) return env;
  const hint = closest(env, app.envs);
  invalid(
    hint
      ? `${app.name} has no environment ${show(env)}. Did you mean ${hint}?`
      : `${app.name} has no environment ${show(env)}. Its environments: ${app.envs.join(', ')}.`,
    key,
  );
}

function version(v: string | undefined, key: UsageKey): string {
  if (v === undefined) invalid('Which version? Give the image tag to deploy.', key);
  if (!isImageTag(v)) {
    invalid(
      `${show(v)} is not an image tag: use letters, digits, "_", "." and "-" (not starting with "." or "-"), at most 128 characters.`,
      key,
    );
  }
  return v;
}

function requestId(id: string | undefined, key: UsageKey): string {
  if (id === undefined) invalid('Which request? Give its id (shown on the approval message).', key);
  if (!REQUEST_ID.test(id)) invalid(`${show(id)} is not a request id.`, key);
  return id;
}

function noMore(rest: readonly string[], key: UsageKey): void {
  if (rest.length > 0) invalid(`Unexpected ${show(rest.join(' '))}.`, key);
}

function rest(tokens: readonly string[]): string | undefined {
  const s = tokens.join(' ').trim();
  return s === '' ? undefined : s;
}

function parseTokens(tokens: string[], names: Names): Command | 'help' {
  const [head, ...args] = tokens;
  switch (head?.toLowerCase()) {
    case undefined:
    case 'help':
      return 'help';
    case 'status': {
      if (args.length === 0) return { kind: 'status' };
      const app = resolveApp(names, args[0], 'status');
      if (args.length === 1) return { kind: 'status', app: app.name };
      noMore(args.slice(2), 'status');
      return { kind: 'status', app: app.name, env: resolveEnv(app, args[1], 'status', true) };
    }
    case 'approve':
      noMore(args.slice(1), 'approve');
      return { kind: 'approve', requestId: requestId(args[0], 'approve') };
    case 'reject':
      return { kind: 'reject', requestId: requestId(args[0], 'reject'), reason: rest(args.slice(1)) };
    case 'history': {
      const csv = args.includes('--csv');
      const words = args.filter((a) => a !== '--csv');
      const app = resolveApp(names, words[0], 'history');
      noMore(words.slice(2), 'history');
      return {
        kind: 'history',
        app: app.name,
        env: words[1] === undefined ? undefined : resolveEnv(app, words[1], 'history', true),
        ...(csv ? { csv: true } : {}),
      };
    }
    case 'stats':
      return parseStats(args, names);
    case 'promote':
      return parsePromote(args, names);
    case 'lock': {
      const app = resolveApp(names, args[0], 'lock');
      return {
        kind: 'lock',
        app: app.name,
        env: resolveEnv(app, args[1], 'lock', true),
        reason: rest(args.slice(2)),
      };
    }
    case 'unlock': {
      const app = resolveApp(names, args[0], 'unlock');
      noMore(args.slice(2), 'unlock');
      return { kind: 'unlock', app: app.name, env: resolveEnv(app, args[1], 'unlock', true) };
    }
    case 'rollback': {
      const app = resolveApp(names, args[0], 'rollback');
      let more = args.slice(1);
      let env: string | undefined;
      if (more[0] !== undefined && more[0] !== 'to') [env, ...more] = more;
      let target: string | undefined;
      if (more[0] === 'to') {
        target = version(more[1], 'rollback');
        more = more.slice(2);
      }
      noMore(more, 'rollback');
      return {
        kind: 'rollback',
        app: app.name,
        env: resolveEnv(app, env, 'rollback', false),
        version: target,
        ...(env === undefined ? { envDefaulted: true } : {}),
      };
    }
    default:
      return parseDeploy(tokens, names);
  }
}

/** Opening quotes and their closing ones: Slack clients may turn "…" into “…”. */
const QUOTES: Readonly<Record<string, string>> = { '"': '"', "'": "'", '“': '”', '‘': '’', '«': '»' };
const OVERRIDE_HINT = 'give the reason in quotes: --override "why this cannot wait"';

/** Takes `--override <reason>` out of the tokens: a reason in quotes, or a single word. */
function takeOverride(
  tokens: readonly string[],
  key: UsageKey = 'deploy',
): { readonly rest: string[]; readonly reason?: string } {
  const at = tokens.indexOf('--override');
  if (at < 0) return { rest: [...tokens] };
  if (tokens.indexOf('--override', at + 1) >= 0) invalid('Give --override once.', key);
  const first = tokens[at + 1];
  if (first === undefined || first.startsWith('--'))
    invalid(`--override needs a reason: ${OVERRIDE_HINT}.`, key);
  const close = QUOTES[first.charAt(0)];
  let last = at + 1;
  let reason = first;
  if (close !== undefined) {
    const closes = (i: number) => tokens[i]!.endsWith(close) && (i > at + 1 || first.length > 1);
    while (last < tokens.length && !closes(last)) last++;
    if (last >= tokens.length)
      invalid(`The --override reason has no closing quote; ${OVERRIDE_HINT}.`, key);
    reason = tokens
      .slice(at + 1, last + 1)
      .join(' ')
      .slice(1, -1)
      .trim();
  }
  if (reason === '') invalid(`--override needs a reason: ${OVERRIDE_HINT}.`, key);
  if (reason.length > 300) invalid('Keep the --override reason under 300 characters.', key);
  return { rest: [...tokens.slice(0, at), ...tokens.slice(last + 1)], reason };
}

function parseDeploy(all: readonly string[], names: Names): Command {
  const { rest: tokens, reason: override } = takeOverride(all);
  const flags = tokens.filter((t) => t.startsWith('--'));
  const words = tokens.filter((t) => !t.startsWith('--'));
  const unknownFlag = flags.find((f) => f !== '--dry-run');
  if (unknownFlag !== undefined)
    invalid(
      `Unknown option ${show(unknownFlag)}; the options are --dry-run and --override "reason".`,
      'deploy',
    );
  const [appName, ver, ...more] = words;
  if (appName !== undefined && !names.apps.some((a) => a.name === appName)) {
    const sub = closest(appName, SUBCOMMANDS);
    const appHint = closest(
      appName,
      names.apps.map((a) => a.name),
    );
    if (sub !== undefined && appHint === undefined)
      invalid(`Unknown command ${show(appName)}. Did you mean ${sub}?`, 'help');
  }
  const app = resolveApp(names, appName, 'deploy');
  const v = version(ver, 'deploy');
  let env: string | undefined;
  if (more.length > 0) {
    if (more[0] !== 'to' || more.length !== 2) invalid(`Unexpected ${show(more.join(' '))}.`, 'deploy');
    env = more[1];
  }
  return {
    kind: 'deploy',
    app: app.name,
    version: v,
    env: resolveEnv(app, env, 'deploy', false),
    dryRun: flags.length > 0,
    override,
    ...(env === undefined ? { envDefaulted: true } : {}),
  };
}

/** `stats [<app>] [<env>] [--days N]` */
function parseStats(args: readonly string[], names: Names): Command {
  const at = args.indexOf('--days');
  let days: number = DAYS.default;
  let words = [...args];
  if (at >= 0) {
    const n = args[at + 1];
    if (n === undefined || !/^\d{1,3}$/.test(n) || Number(n) < 1 || Number(n) > DAYS.max)
      invalid(`--days takes a whole number of days from 1 to ${DAYS.max}, e.g. --days 30.`, 'stats');
    days = Number(n);
    words = [...args.slice(0, at), ...args.slice(at + 2)];
  }
  const flag = words.find((w) => w.startsWith('--'));
  if (flag !== undefined) invalid(`Unknown option ${show(flag)}; the option is --days N.`, 'stats');
  if (words.length === 0) return { kind: 'stats', days };
  const app = resolveApp(names, words[0], 'stats');
  noMore(words.slice(2), 'stats');
  const env = words[1] === undefined ? undefined : resolveEnv(app, words[1], 'stats', true);
  return { kind: 'stats', app: app.name, env, days };
}

/** `promote <app> [from <env>] to <env> [--override "<reason>"]` */
function parsePromote(args: readonly string[], names: Names): Command {
  const { rest: words, reason: override } = takeOverride(args, 'promote');
  const app = resolveApp(names, words[0], 'promote');
  let more = words.slice(1);
  let from: string | undefined;
  if (more[0] === 'from') {
    from = resolveEnv(app, more[1], 'promote', true);
    more = more.slice(2);
  }
  if (more[0] !== 'to') invalid(`Where to? Say \`to <env>\`: one of ${app.envs.join(', ')}.`, 'promote');
  const to = resolveEnv(app, more[1], 'promote', true);
  noMore(more.slice(2), 'promote');
  if (from === to) invalid(`Promote from one environment to another, not ${show(to)} to itself.`, 'promote');
  return { kind: 'promote', app: app.name, from, to, override };
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
