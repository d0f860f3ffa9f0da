import { CapstanError } from '../../../domain/errors.js';
import type { Fact } from '../../../domain/facts/index.js';
import type { InPlaceRollback } from '../../strategy.js';
import type { EcsTrack } from '../schemas.js';
import type { EcsEnvironment, EcsStrategyDeps } from '../service.js';

const IN_FLIGHT = new Set(['PENDING', 'IN_PROGRESS']);

/** Continue at the pause hook Capstan showed: ContinueServiceDeployment CONTINUE for that hook. */
export async function continueAtPause(
  deps: EcsStrategyDeps,
  env: EcsEnvironment,
  t: EcsTrack,
): Promise<readonly Fact[]> {
  const sd = t.sd;
  if (!deps.serviceDeployments || !sd?.arn || !sd.hook)
    throw new CapstanError('invalid_state', { kind: 'ecs.nothingToRollBack', status: sd?.status });
  await deps.serviceDeployments.decide(env.target.region, sd.arn, sd.hook.hookId, 'CONTINUE');
  return [];
}

/**
 * ECS's own rollback of the deployment in flight, read afresh: ContinueServiceDeployment ROLLBACK
 * at a pause hook waiting now, else StopServiceDeployment ROLLBACK. undefined for a rollout that is
 * not a service deployment (ROLLING): Capstan redeploys the last good version there.
 */
export async function rollBackAtEcs(
  deps: EcsStrategyDeps,
  env: EcsEnvironment,
  t: EcsTrack,
): Promise<InPlaceRollback<EcsTrack> | undefined> {
  const sd = t.sd;
  const port = deps.serviceDeployments;
  if (!port || !sd?.arn) return undefined;
  // Done (a bake after success): ECS cannot roll back a SUCCESSFUL service deployment, and Capstan's
  // bake only begins after it (ECS's own bake and alarms come first), so Capstan redeploys instead.
  if (sd.status === 'SUCCESSFUL') return undefined;
  const region = env.target.region;
  const { deployments } = await port.describe(region, [sd.arn]);
  const d = deployments.find((x) => x.arn === sd.arn);
  const hook = d?.hooks.find((h) => h.status === 'AWAITING_ACTION' && h.hookId !== '');
  if (d && hook && d.status === 'IN_PROGRESS') {
    await port.decide(region, sd.arn, hook.hookId, 'ROLLBACK');
    return { lines: [], data: { ...t, sd: { ...sd, byEcs: true } } };
  }
  if (!d || !IN_FLIGHT.has(d.status))
    throw new CapstanError('invalid_state', { kind: 'ecs.nothingToRollBack', status: d?.status });
  await port.stop(region, sd.arn);
  return { lines: [], data: { ...t, sd: { ...sd, byEcs: true } } };
}
