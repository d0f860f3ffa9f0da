import type { Command } from '../commands/command.js';
import type { Catalog } from '../domain/catalog.js';
import { type StatusDeps, readStatus } from '../usecases/status.js';
import { notice } from '../views/help.js';
import { notAvailableText } from '../views/replies.js';
import type { SlackMessage } from '../views/message.js';
import { statusDetail, statusMatrix } from '../views/status.js';

export interface Actor {
  readonly userId: string;
  readonly channelId: string;
  /** When the command arrived (performance.now()): answers read since then may be shared. */
  readonly askedAt?: number | undefined;
}

export interface Reply {
  readonly visibility: 'ephemeral' | 'in_channel';
  readonly message: SlackMessage;
  /** Work shown below the reply (the stats chart): started once the reply is posted, never before. */
  readonly after?: (() => Promise<void>) | undefined;
}

/** A use case behind one command: it does the work and says what to show the person who asked. */
export type CommandHandler<K extends Command['kind']> = (
  command: Extract<Command, { kind: K }>,
  actor: Actor,
) => Promise<Reply | undefined>;

export type CommandHandlers = { readonly [K in Command['kind']]?: CommandHandler<K> };

export interface DispatchDeps {
  readonly catalog: Catalog;
  readonly status: StatusDeps;
  readonly handlers: CommandHandlers;
}

/** A status answer, with when its reading began (performance.now()). */
interface Answer {
  readonly since: number;
  readonly reply: Promise<SlackMessage>;
}

/** The latest status answer per set of dependencies and scope. */
const latest = new WeakMap<DispatchDeps, Map<string, Answer>>();

/**
 * The status of an app (or all, or one environment). An answer whose reading began after this
 * command was asked (`askedAt`, performance.now()) is as fresh as one read for it, and is shared:
 * a burst of the same `status`, whose work goes after all of the burst's acknowledgements, costs
 * one read of the ledger and one rendering, not one per command. Nothing read before is reused.
 */
export function statusReply(
  deps: DispatchDeps,
  app?: string,
  env?: string,
  askedAt: number = performance.now(),
): Promise<SlackMessage> {
  let answers = latest.get(deps);
  if (!answers) latest.set(deps, (answers = new Map<string, Answer>()));
  const key = JSON.stringify([app ?? null, env ?? null]);
  const fresh = answers.get(key);
  if (fresh !== undefined && fresh.since >= askedAt) return fresh.reply;
  const entry = {
    since: performance.now(),
    reply: (async () => {
      const statuses = await readStatus(deps.status, { app, env });
      const one = statuses[0];
      return env !== undefined && one !== undefined ? statusDetail(one) : statusMatrix(statuses);
    })(),
  };
  answers.set(key, entry);
  entry.reply.catch(() => {
    if (answers.get(key) === entry) answers.delete(key);
  });
  return entry.reply;
}

export async function dispatch(
  deps: DispatchDeps,
  command: Command,
  actor: Actor,
): Promise<Reply | undefined> {
  if (command.kind === 'status') {
    return {
      visibility: 'in_channel',
      message: await statusReply(deps, command.app, command.env, actor.askedAt),
    };
  }
  const handler = deps.handlers[command.kind] as CommandHandler<typeof command.kind> | undefined;
  if (handler === undefined) {
    return {
      visibility: 'ephemeral',
      message: notice(notAvailableText(command.kind)),
    };
  }
  return handler(command, actor);
}
