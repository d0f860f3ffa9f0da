import type { Environment } from '../../domain/catalog.js';
import type { Deployment, Tracking } from '../../domain/deployment.js';
import type { Reported } from '../../domain/facts/rollout.js';
import { errorMessage } from '../../lib/errors.js';
import { type TargetStrategy, inPlaceLines } from '../../targets/strategy.js';
import type { DeployDeps } from '../deps.js';
import { save } from '../record.js';
import { why } from './cause.js';

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
): Promise<Deployment | undefined> {
  // In flight, only a progressive rollout (a stage) has one; in a bake after success, the target
  // says whether it still can (CodeDeploy blue/green in its termination wait).
  if (!strategy.rollBackInPlace || (tracking.stage === undefined && d.state !== 'verifying'))
    return undefined;
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
  const lines = inPlaceLines(answer);
  if (lines.length > 0) deps.notifier.detail(d, lines);
  const now = deps.clock.now();
  return save(
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
}
