import type { Catalog, Environment } from '../domain/catalog.js';
import { findEnvironment } from '../domain/catalog.js';
import { CapstanError } from '../domain/errors.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import type { DeployDeps } from '../usecases/deploy.js';
import { deployToEcs } from '../usecases/deploy.js';
import { type LockDeps, lockEnvironment, unlockEnvironment } from '../usecases/lock.js';
import { rollbackEcs } from '../usecases/rollback.js';
import { dryRunMessage } from '../views/deploy.js';
import { notice } from '../views/help.js';
import { historyMessage } from '../views/history.js';
import { escape } from '../views/message.js';
import type { CommandHandlers, Reply } from './dispatch.js';

export interface HandlerDeps {
  readonly catalog: Catalog;
  readonly store: Store;
  readonly clock: Clock;
  readonly deploy: DeployDeps;
  readonly locks: LockDeps;
}

function env(catalog: Catalog, app: string, name: string): Environment {
  const e = findEnvironment(catalog, app, name);
  if (!e) throw new CapstanError('not_found', `${app}/${name} is not configured.`);
  return e;
}

const ephemeral = (text: string): Reply => ({ visibility: 'ephemeral', message: notice(text) });

function startedReply(d: {
  app: string;
  env: string;
  toVersion: string;
  channel: string;
  permalink?: string | undefined;
  kind: string;
}): Reply {
  const where = d.permalink ? `<${d.permalink}|in <#${d.channel}>>` : `in <#${d.channel}>`;
  const verb = d.kind === 'rollback' ? 'Rolling back' : 'Deploying';
  return ephemeral(
    `${verb} *${escape(d.app)}* \`${escape(d.toVersion)}\` to *${escape(d.env)}*; follow it ${where}.`,
  );
}

function notYet(e: Environment, what: string): Reply {
  return ephemeral(
    `${what} for ${e.target.kind === 'cloudformation' ? 'CloudFormation' : 'this'} environment (${e.app}/${e.name}) is not available yet in this version of Capstan.`,
  );
}

export function commandHandlers(deps: HandlerDeps): CommandHandlers {
  return {
    async deploy(cmd, actor) {
      const e = env(deps.catalog, cmd.app, cmd.env);
      if (e.target.kind !== 'ecs') return notYet(e, 'Deploying');
      const result = await deployToEcs(deps.deploy, e, cmd.version, actor.userId, { dryRun: cmd.dryRun });
      if (result.kind === 'dry_run') {
        return {
          visibility: 'ephemeral',
          message: dryRunMessage(e, cmd.version, result.plan.fromVersion, result.plan.diff),
        };
      }
      return startedReply(result.deployment);
    },

    async rollback(cmd, actor) {
      const e = env(deps.catalog, cmd.app, cmd.env);
      if (e.target.kind !== 'ecs') return notYet(e, 'Rolling back');
      const result = await rollbackEcs(deps.deploy, e, actor.userId, cmd.version);
      return result.kind === 'started' ? startedReply(result.deployment) : undefined;
    },

    async history(cmd) {
      const entries = await deps.store.history(cmd.app, cmd.env, 10);
      return {
        visibility: 'ephemeral',
        message: historyMessage(cmd.app, cmd.env, entries, deps.clock.now()),
      };
    },

    async lock(cmd, actor) {
      const e = env(deps.catalog, cmd.app, cmd.env);
      const lock = await lockEnvironment(deps.locks, e, actor.userId, cmd.reason);
      return {
        visibility: 'in_channel',
        message: notice(
          `:lock: <@${lock.owner}> locked *${escape(e.app)}/${escape(e.name)}*${lock.reason ? `: ${escape(lock.reason)}` : ''}. Deploys there are refused until \`/deploy unlock ${e.app} ${e.name}\`.`,
        ),
      };
    },

    async unlock(cmd, actor) {
      const e = env(deps.catalog, cmd.app, cmd.env);
      const lock = await unlockEnvironment(deps.locks, e, actor.userId);
      return {
        visibility: 'in_channel',
        message: notice(
          `:unlock: <@${actor.userId}> unlocked *${escape(e.app)}/${escape(e.name)}* (locked by <@${lock.owner}>). Deploys are allowed again.`,
        ),
      };
    },
  };
}
