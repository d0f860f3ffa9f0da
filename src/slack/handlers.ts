import type { Catalog, Environment } from '../domain/catalog.js';
import { defaultEnvironment, findApp, findEnvironment } from '../domain/catalog.js';
import { CapstanError } from '../domain/errors.js';
import { type FrozenError, isFrozenError } from '../domain/freeze.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import { type ApprovalDeps, approve, reject } from '../usecases/approval.js';
import { type DeployDeps, requestDeploy } from '../usecases/deploy.js';
import { type LockDeps, lockEnvironment, unlockEnvironment } from '../usecases/lock.js';
import { type RelayDeps, decidePipelineApproval } from '../usecases/relay.js';
import { rollBackInFlight } from '../usecases/pause.js';
import { requestRollback } from '../usecases/rollback.js';
import { type EnvironmentChoice, dryRunMessage } from '../views/deploy.js';
import { frozenRequestText, notice } from '../views/help.js';
import { pipelineDecisionText } from '../views/pipeline.js';
import { proceedText } from '../views/release.js';
import { historyMessage } from '../views/history.js';
import { lockedMessage, unlockedMessage } from '../views/lock.js';
import { approvalReply, startedText } from '../views/replies.js';
import type { CommandHandler, CommandHandlers, Reply } from './dispatch.js';

export interface HandlerDeps {
  readonly catalog: Catalog;
  readonly store: Store;
  readonly clock: Clock;
  readonly deploy: DeployDeps;
  readonly locks: LockDeps;
  readonly approvals: ApprovalDeps;
  readonly relay: RelayDeps;
}

function env(catalog: Catalog, app: string, name: string): Environment {
  const e = findEnvironment(catalog, app, name);
  if (!e) throw new CapstanError('not_found', { kind: 'env.notConfigured', app, env: name });
  return e;
}

/** The environment typed, or else the one of this channel, or else the app's first. */
function chooseEnv(
  catalog: Catalog,
  cmd: { app: string; env: string; envDefaulted?: true | undefined },
  channel: string,
): { e: Environment; choice: EnvironmentChoice } {
  const found = cmd.envDefaulted ? defaultEnvironment(catalog, cmd.app, channel) : undefined;
  if (found === undefined) return { e: env(catalog, cmd.app, cmd.env), choice: 'typed' };
  // An app with one environment leaves nothing to choose.
  const only = findApp(catalog, cmd.app)?.environments.length === 1;
  return { e: found.env, choice: only ? 'typed' : found.fromChannel ? 'channel' : 'first' };
}

const ephemeral = (text: string): Reply => ({ visibility: 'ephemeral', message: notice(text) });

/** A freeze refusal, its end shown in each reader's own time zone. */
function frozenReply(e: FrozenError, cmd: { app: string; version: string; env: string }): Reply {
  return ephemeral(frozenRequestText(e.where, e.freeze, cmd));
}

export function commandHandlers(deps: HandlerDeps): CommandHandlers {
  return {
    deploy: deployHandler(deps),
    rollback: rollbackHandler(deps),

    async approve(cmd, actor) {
      if (cmd.requestId.startsWith('p-'))
        return ephemeral(
          pipelineDecisionText(
            await decidePipelineApproval(deps.relay, cmd.requestId, actor.userId, 'approve'),
          ),
        );
      return ephemeral(approvalReply(await approve(deps.approvals, cmd.requestId, actor.userId)));
    },

    async reject(cmd, actor) {
      if (cmd.requestId.startsWith('p-'))
        return ephemeral(
          pipelineDecisionText(
            await decidePipelineApproval(deps.relay, cmd.requestId, actor.userId, 'reject', cmd.reason),
          ),
        );
      return ephemeral(approvalReply(await reject(deps.approvals, cmd.requestId, actor.userId, cmd.reason)));
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
      return { visibility: 'in_channel', message: lockedMessage(e, lock) };
    },

    async unlock(cmd, actor) {
      const e = env(deps.catalog, cmd.app, cmd.env);
      const lock = await unlockEnvironment(deps.locks, e, actor.userId);
      return { visibility: 'in_channel', message: unlockedMessage(e, lock, actor.userId) };
    },
  };
}

/** `/deploy <app> <version> [to <env>]`: a request (or a dry run); a freeze refuses it with its end. */
function deployHandler(deps: HandlerDeps): CommandHandler<'deploy'> {
  return async (cmd, actor) => {
    const { e, choice } = chooseEnv(deps.catalog, cmd, actor.channelId);
    const override =
      cmd.override === undefined ? undefined : { reason: cmd.override, admins: deps.catalog.admins };
    let result;
    try {
      result = await requestDeploy(deps.deploy, e, cmd.version, actor.userId, {
        dryRun: cmd.dryRun,
        override,
      });
    } catch (err) {
      if (isFrozenError(err)) return frozenReply(err, { ...cmd, env: e.name });
      throw err;
    }
    if (result.kind === 'dry_run') {
      return {
        visibility: 'ephemeral',
        message: dryRunMessage(
          e,
          cmd.version,
          result.fromVersion,
          result.review,
          result.unchanged,
          choice,
          result.promotion,
        ),
      };
    }
    return ephemeral(startedText(result, e, choice, actor.channelId));
  };
}

/** `/deploy rollback <app> [<env>] [to <version>]`: in place through ECS when it can, else a rollback request. */
function rollbackHandler(deps: HandlerDeps): CommandHandler<'rollback'> {
  return async (cmd, actor) => {
    const { e, choice } = chooseEnv(deps.catalog, cmd, actor.channelId);
    // A rollout ECS can roll back itself (a service deployment in flight) goes back through ECS.
    const inPlace =
      cmd.version === undefined
        ? await rollBackInFlight({ ...deps.deploy, catalog: deps.catalog }, e, actor.userId)
        : undefined;
    if (inPlace) return ephemeral(proceedText(inPlace));
    const result = await requestRollback(deps.deploy, e, actor.userId, cmd.version);
    return result.kind === 'started' ? ephemeral(startedText(result, e, choice, actor.channelId)) : undefined;
  };
}
