import type { CreateChangeSetInput } from '../../ports/stacks.js';
import type { StackEnvironment, StackStrategyDeps } from './deps.js';

/** CloudFormation's limits on a RollbackConfiguration. */
const MAX_TRIGGERS = 5;
const MAX_MONITORING_MINUTES = 180;

/**
 * An environment that verifies its rollouts hands its alarms and its bake to CloudFormation as well:
 * the change set's rollback triggers (the alarms' ARNs, the first five by name: CloudFormation takes
 * no more; Capstan's bake watches them all) and its monitoring time (the bake, in whole minutes, at
 * most three hours). CloudFormation then rolls the update back by itself on an alarm while it
 * monitors, and the stack reaches UPDATE_COMPLETE only when its monitoring is over.
 */
export async function rollbackTriggers(
  deps: StackStrategyDeps,
  env: StackEnvironment,
): Promise<CreateChangeSetInput['rollbackTriggers']> {
  if (!env.verify || !deps.alarms) return undefined;
  const readings = await deps.alarms.describe(env.target.region, env.verify.alarms);
  const alarms = readings
    .flatMap((r) => (r.arn ? [{ arn: r.arn, composite: r.composite === true }] : []))
    .slice(0, MAX_TRIGGERS);
  if (alarms.length === 0) return undefined;
  const monitoringMinutes = Math.min(MAX_MONITORING_MINUTES, Math.ceil(env.verify.bakeMs / 60_000));
  return { alarms, monitoringMinutes };
}
