import type { Environment } from '../../domain/catalog.js';
import type { Deployment, Tracking } from '../../domain/deployment.js';
import type { Reported } from '../../domain/facts/rollout.js';
import { errorMessage } from '../../lib/errors.js';
import { type TargetStrategy, inPlaceLines } from '../../targets/strategy.js';
import type { DeployDeps } from '../deps.js';
import { sameStage, saveInFlight } from '../record.js';
import { why } from './cause.js';

/** The deployment moved on since it was seen (another replica or a person decided): nothing was done. */
export const MOVED_ON = Symbol('moved on');

/**
 * Capstan's own rollback of a rollout the target can roll back itself (an ECS service deployment
 * in flight): the target's rollback, followed on the same tracking, never a second deployment over
 * one in flight. undefined when the target has none for this rollout: Capstan redeploys instead.
 */
export async function rollBackInPlace(
  deps: DeployDeps,
  d: Deployment,
  env: Environment,
  strategy: TargetStrategy,
  tracking: Tracking,
  reason: Reported,
): Promise<Deployment | typeof MOVED_ON | undefined> {
  // In flight, only a progressive rollout (a stage) has one; in a bake after success, the target
  // says whether it still can (CodeDeploy blue/green in its termination wait).
  if (!strategy.rollBackInPlace || (tracking.stage === undefined && d.state !== 'verifying'))
    return undefined;
  // Read again at the last moment before AWS is changed: a replica that stalled acts on no old look.
  const now0 = await deps.store.get(d.id);
  if (!now0 || !sameStage(now0, d)) return MOVED_ON;
  let answer;
  try {
    answer = await strategy.rollBackInPlace(env, tracking.data);
  } catch (e) {
    deps.logger.warn('the target could not roll back in place; redeploying instead', {
      id: d.id,
      error: errorMessage(e),
    });
    return undefined;
  }
  if (answer === undefined) return undefined;
  const now = deps.clock.now();
  const cur = await saveInFlight(
    deps.store,
    d,
    {
      state: 'rolling_back',
      ...why(reason),
      tracking: {
        phase: 'rollback',
        rolledBackBy: strategy.label,
        startedAt: now,
        lastProgressAt: now,
        data: 'lines' in answer ? answer.data : tracking.data,
      },
    },
    now,
  );
  const lines = inPlaceLines(answer);
  if (!cur) {
    deps.logger.warn('rolled back in place, but the deployment had moved on meanwhile', {
      id: d.id,
      rollback: lines.map((l) => l.kind),
    });
    return MOVED_ON;
  }
  if (lines.length > 0) deps.notifier.detail(cur, lines);
  return cur;
}
