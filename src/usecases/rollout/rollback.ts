import type { Environment } from '../../domain/catalog.js';
import type { Deployment, Tracking } from '../../domain/deployment.js';
import type { Reported } from '../../domain/facts/rollout.js';
import { errorReported } from '../../domain/reported.js';
import type { TargetStrategy } from '../../targets/strategy.js';
import type { DeployDeps } from '../deploy.js';
import { applyOrReconcile, beginTracking } from '../execute.js';
import { save } from '../record.js';
import { why } from './cause.js';
import { rollBackInPlace } from './inPlace.js';
import type { Watchlist } from './watchlist.js';

/**
 * Capstan's own rollback: in place when the target can, else a redeploy of the last version that
 * succeeded here according to the ledger, followed as the rollback phase of the same deployment.
 * `finish` ends the deployment when there is nothing to roll back to or the rollback cannot start.
 */
export async function rollBackToGoodVersion(
  deps: DeployDeps,
  watchlist: Watchlist,
  finish: (d: Deployment, change: Partial<Deployment>) => Promise<void>,
  d: Deployment,
  env: Environment,
  strategy: TargetStrategy,
  tracking: Tracking,
  reason: Reported,
): Promise<void> {
  const inPlace = await rollBackInPlace(deps, d, env, strategy, tracking, reason);
  if (inPlace) {
    watchlist.set(inPlace);
    await deps.notifier.show(inPlace);
    return;
  }
  const good = (await deps.store.goodVersions(env.app, env.name, 5)).find((g) => g.version !== d.toVersion);
  if (!good) {
    await finish(d, {
      state: 'failed',
      tracking,
      ...why({ kind: 'rollout.noGoodVersion', cause: reason }),
    });
    return;
  }
  deps.notifier.detail(d, [{ kind: 'rollout.rollingBackTo', version: good.version }]);
  let cur = await save(
    deps.store,
    d,
    { state: 'rolling_back', ...why(reason), rollbackVersion: good.version, tracking },
    deps.clock.now(),
  );
  watchlist.set(cur);
  await deps.notifier.show(cur);
  try {
    const requestId = `${d.id}-rollback`;
    const checked = await strategy.check(env, good.version, { rollingBack: true });
    const prepared = await strategy.prepare(env, {
      requestId,
      version: good.version,
      requestedBy: d.requestedBy,
      checked,
    });
    // Recorded before AWS changes: a process that dies inside the call leaves enough to reconcile it.
    cur = await save(
      deps.store,
      cur,
      { rollbackPlan: prepared.plan, applyingSince: deps.clock.now() },
      deps.clock.now(),
    );
    watchlist.set(cur);
    const { started, failure } = await applyOrReconcile(deps, strategy, env, {
      requestId,
      version: good.version,
      plan: prepared.plan,
      actor: d.requestedBy,
    });
    if (!started) throw failure;
    watchlist.remove(d.id);
    cur = (await deps.store.get(d.id)) ?? cur;
    await beginTracking(deps, cur, started, 'rollback', failure);
  } catch (e) {
    await finish(cur, {
      state: 'rollback_failed',
      ...why({ kind: 'rollout.rollbackNotStarted', cause: reason, error: errorReported(e) }),
    });
  }
}
