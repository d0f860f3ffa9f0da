import type { Command, Names } from '../command.js';
import { invalid, noMore, requestId, resolveApp, resolveEnv, rest, show } from './args.js';

/** The commands that do not move a version: they look (status, history, stats), decide (approve, reject) or lock. */

/** `--days` of `/deploy stats`: a default month, at most a year. */
const DAYS = { default: 30, max: 365 } as const;

/** `status [<app> [<env>]]` */
export function parseStatus(args: readonly string[], names: Names): Command {
  if (args.length === 0) return { kind: 'status' };
  const app = resolveApp(names, args[0], 'status');
  if (args.length === 1) return { kind: 'status', app: app.name };
  noMore(args.slice(2), 'status');
  return { kind: 'status', app: app.name, env: resolveEnv(app, args[1], 'status', true) };
}

/** `approve <request id>` */
export function parseApprove(args: readonly string[]): Command {
  noMore(args.slice(1), 'approve');
  return { kind: 'approve', requestId: requestId(args[0], 'approve') };
}

/** `reject <request id> [reason]` */
export function parseReject(args: readonly string[]): Command {
  return { kind: 'reject', requestId: requestId(args[0], 'reject'), reason: rest(args.slice(1)) };
}

/** `history <app> [<env>] [--csv]` */
export function parseHistory(args: readonly string[], names: Names): Command {
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

/** `stats [<app>] [<env>] [--days N]` */
export function parseStats(args: readonly string[], names: Names): Command {
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

/** `lock <app> <env> [reason]` */
export function parseLock(args: readonly string[], names: Names): Command {
  const app = resolveApp(names, args[0], 'lock');
  return {
    kind: 'lock',
    app: app.name,
    env: resolveEnv(app, args[1], 'lock', true),
    reason: rest(args.slice(2)),
  };
}

/** `unlock <app> <env>` */
export function parseUnlock(args: readonly string[], names: Names): Command {
  const app = resolveApp(names, args[0], 'unlock');
  noMore(args.slice(2), 'unlock');
  return { kind: 'unlock', app: app.name, env: resolveEnv(app, args[1], 'unlock', true) };
}
