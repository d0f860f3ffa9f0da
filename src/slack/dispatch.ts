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
}

export interface Reply {
  readonly visibility: 'ephemeral' | 'in_channel';
  readonly message: SlackMessage;
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

/** Status answers being worked out now, per set of dependencies and scope. */
const working = new WeakMap<DispatchDeps, Map<string, Promise<SlackMessage>>>();

/**
 * The status of an app (or all, or one environment), read and worded once for everyone who asks
 * for the same while it is being worked out: a burst of the same `status` (released together after
 * its acknowledgements) costs one read of the ledger and one rendering, not one per command.
 */
export function statusReply(deps: DispatchDeps, app?: string, env?: string): Promise<SlackMessage> {
  let now = working.get(deps);
  if (!now) working.set(deps, (now = new Map<string, Promise<SlackMessage>>()));
  const key = JSON.stringify([app ?? null, env ?? null]);
  const shared = now.get(key);
  if (shared) return shared;
  const reply = (async () => {
    const statuses = await readStatus(deps.status, { app, env });
    const one = statuses[0];
    return env !== undefined && one !== undefined ? statusDetail(one) : statusMatrix(statuses);
  })();
  now.set(key, reply);
  const done = () => {
    if (now.get(key) === reply) now.delete(key);
  };
  reply.then(done, done);
  return reply;
}

export async function dispatch(
  deps: DispatchDeps,
  command: Command,
  actor: Actor,
): Promise<Reply | undefined> {
  if (command.kind === 'status') {
    return { visibility: 'in_channel', message: await statusReply(deps, command.app, command.env) };
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
