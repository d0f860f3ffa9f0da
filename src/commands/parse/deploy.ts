import { closest } from '../../lib/closest.js';
import type { Command, Names } from '../command.js';
import { invalid, noMore, resolveApp, resolveEnv, show, version } from './args.js';
import { takeOverride } from './override.js';

/** The commands that move a version: deploy, rollback, promote. */

/** The words `/deploy` takes before an app: a near miss of one of them is told as a command. */
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

/** `<app> <version> [to <env>] [--dry-run] [--override "<reason>"]` */
export function parseDeploy(all: readonly string[], names: Names): Command {
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

/** `rollback <app> [<env>] [to <version>]` */
export function parseRollback(args: readonly string[], names: Names): Command {
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

/** `promote <app> [from <env>] to <env> [--override "<reason>"]` */
export function parsePromote(args: readonly string[], names: Names): Command {
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
