import type { Environment } from '../../domain/catalog.js';
import type { Deployment, Tracking } from '../../domain/deployment.js';
import type { Reported } from '../../domain/facts/rollout.js';
import { errorReported } from '../../domain/reported.js';
import type { GoodVersion } from '../../ports/store.js';
import type { TargetStrategy } from '../../targets/strategy.js';
import type { DeployDeps } from '../deploy.js';
import { applyOrReconcile, beginTracking } from '../execute.js';
import { save, saveInFlight } from '../record.js';
import { lastGoodVersion } from '../goodVersion.js';
import { why } from './cause.js';
import { MOVED_ON, rollBackInPlace } from './inPlace.js';
import type { Watchlist } from './watchlist.js';

/**
 * Capstan's own rollback: in place when the target can, else a redeploy of the last good version
 * here according to the ledger (the last verified one where the environment verifies, the last that
 * succeeded where none was verified yet), followed as the rollback phase of the same deployment.
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
  if (inPlace === MOVED_ON) return;
  if (inPlace) {
    watchlist.set(inPlace);
    await deps.notifier.show(inPlace);
    return;
  }
  const good = await lastGoodVersion(
    deps.store,
    env,
    5,
    // Not the image that failed, under whichever tag it ran before (a promoted image carries the source's).
    (g) => g.version !== d.toVersion && (d.imageDigest === undefined || g.digest !== d.imageDigest),
  );
  if (!good) {
    await finish(d, {
      state: 'failed',
      tracking,
      ...why({ kind: 'rollout.noGoodVersion', cause: reason }),
    });
    return;
  }
  const cur = await saveInFlight(
    deps.store,
    d,
    { state: 'rolling_back', ...why(reason), rollbackVersion: good.version, tracking },
    deps.clock.now(),
  );
  // Moved on meanwhile (another replica ended or rolled it back while this one stalled): nothing to do here.
  if (!cur) return;
  deps.notifier.detail(cur, [
    {
      kind: 'rollout.rollingBackTo',
      version: good.version,
      ...(env.verify !== undefined && (good.unverified ? { unverified: true } : { verified: true })),
    },
  ]);
  watchlist.set(cur);
  await deps.notifier.show(cur);
  await redeploy(deps, watchlist, finish, cur, env, strategy, good, reason);
}

/**
 * Deploys the good version again as the rollback phase of `rolling`: checked, prepared, recorded,
 * then applied (or reconciled) and followed. A rollback that cannot start ends the deployment. The
 * image is found by the digest that ran, where the ledger has it: a promoted image may carry its
 * tag only in the environment it came from, and a tag may have moved since.
 */
async function redeploy(
  deps: DeployDeps,
  watchlist: Watchlist,
  finish: (d: Deployment, change: Partial<Deployment>) => Promise<void>,
  rolling: Deployment,
  env: Environment,
  strategy: TargetStrategy,
  { version, digest }: GoodVersion,
  reason: Reported,
): Promise<void> {
  let cur = rolling;
  try {
    const requestId = `${rolling.id}-rollback`;
    const checked = await strategy.check(env, version, { rollingBack: true, digest });
    const prepared = await strategy.prepare(env, {
      requestId,
      version,
      requestedBy: rolling.requestedBy,
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
      version,
      plan: prepared.plan,
      actor: rolling.requestedBy,
    });
    if (!started) throw failure;
    watchlist.remove(rolling.id);
    cur = (await deps.store.get(rolling.id)) ?? cur;
    await beginTracking(deps, cur, started, 'rollback', failure);
  } catch (e) {
    await finish(cur, {
      state: 'rollback_failed',
      ...why({ kind: 'rollout.rollbackNotStarted', cause: reason, error: errorReported(e) }),
    });
  }
}
