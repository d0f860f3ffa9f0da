import type { Environment } from '../../domain/catalog.js';
import type { Deployment, Tracking } from '../../domain/deployment.js';
import type { Reported } from '../../domain/facts/rollout.js';
import { sameJson } from '../../lib/sameJson.js';
import type { Observation } from '../../targets/strategy.js';
import type { DeployDeps } from '../deps.js';
import { saveInFlight } from '../record.js';
import type { Watchlist } from './watchlist.js';

type Progressing = Extract<Observation, { kind: 'progress' }>;

/** A running rollout's tracking as this look saw it. */
export function progressTracking(t: Tracking, obs: Progressing, now: number): Tracking {
  return {
    ...t,
    data: obs.data,
    progress: obs.progress,
    waiting: obs.waiting,
    waitingUntil: obs.waitingUntil,
    stage: obs.stage,
    pause: obs.pause,
    lastProgressAt: obs.moved || obs.waiting !== t.waiting ? now : t.lastProgressAt,
  };
}

/**
 * Why the rollout counts as stalled (nothing moved for longer than the environment's rollout
 * timeout), or undefined. A rollout waiting for people is not stalled: the target's own wait setting
 * bounds it. So is one the target's own clock holds (an ECS bake): its timeout governs, and is shown.
 */
export function stall(env: Environment, t: Tracking, obs: Progressing, now: number): Reported | undefined {
  if (obs.moved || obs.waiting || obs.held || now - t.lastProgressAt <= env.rolloutTimeoutMs)
    return undefined;
  return {
    kind: 'rollout.noProgress',
    seconds: Math.round(env.rolloutTimeoutMs / 1000),
    progress: obs.progress,
  };
}

/** Saves the new tracking when it changed, shows what people see of it, and asks for Continue when the rollout starts waiting. */
export async function recordProgress(
  deps: DeployDeps,
  watchlist: Watchlist,
  d: Deployment,
  env: Environment,
  tracking: Tracking,
  now: number,
): Promise<void> {
  const t = d.tracking!;
  if (sameJson(tracking, t)) return;
  const visible =
    !sameJson(tracking.progress, t.progress) ||
    tracking.waiting !== t.waiting ||
    tracking.waitingUntil !== t.waitingUntil ||
    !sameJson([tracking.stage, tracking.pause], [t.stage, t.pause]);
  const cur = await saveInFlight(deps.store, d, { tracking }, now);
  if (!cur) return;
  watchlist.set(cur);
  if (visible) await deps.notifier.show(cur);
  if (tracking.waiting !== undefined && tracking.waiting !== t.waiting) {
    const { approvers, allowSelfApproval } = env.policy;
    deps.notifier.announce?.(cur, {
      kind: 'continue_requested',
      approvers,
      waiting: tracking.waiting,
      selfAllowed: allowSelfApproval,
    });
  }
}
