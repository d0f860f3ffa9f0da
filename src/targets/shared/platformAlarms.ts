import type { Environment } from '../../domain/catalog.js';
import type { PlatformAlarms } from '../../domain/facts/verify.js';
import { alsoVerified } from '../../domain/verify.js';
import type { DeploymentGroup } from '../../ports/codedeploy.js';
import type { EcsService } from '../../ports/ecs.js';

/**
 * The platform's own alarm rollback as a fact, from what the target read: shown on the parent
 * message of a deploy and by `status`. undefined where it is off or names no alarm.
 */
function platformAlarms(
  env: Environment,
  fact: Omit<PlatformAlarms, 'kind' | 'alsoVerified'>,
): PlatformAlarms | undefined {
  if (fact.alarms.length === 0) return undefined;
  return {
    kind: 'verify.platformAlarms',
    ...fact,
    alarms: [...fact.alarms],
    ...(env.verify && { alsoVerified: alsoVerified(fact.alarms, env.verify.alarms) }),
  };
}

/** ECS's deploymentConfiguration.alarms (enabled): the deployment fails, and rolls back with `rollback`. */
export function ecsPlatformAlarms(env: Environment, s: EcsService): PlatformAlarms | undefined {
  const a = s.alarms;
  if (!a?.enable) return undefined;
  return platformAlarms(env, { platform: 'ECS', alarms: [...a.names], rollback: a.rollback });
}

/**
 * CodeDeploy's alarmConfiguration (enabled): an alarm stops the deployment; it rolls back when the
 * group's automatic rollback includes DEPLOYMENT_STOP_ON_ALARM.
 */
export function codeDeployPlatformAlarms(
  env: Environment,
  group: DeploymentGroup,
): PlatformAlarms | undefined {
  const a = group.alarms;
  if (!a?.enabled) return undefined;
  const rollback =
    group.autoRollback.enabled && group.autoRollback.events.includes('DEPLOYMENT_STOP_ON_ALARM');
  return platformAlarms(env, {
    platform: 'CodeDeploy',
    alarms: [...a.names],
    rollback,
    ...(a.ignorePollFailure && { ignoresPollFailure: true }),
  });
}

/** CloudFormation's rollback triggers Capstan hands it (the names in their ARNs) and its monitoring time. */
export function cloudFormationPlatformAlarms(
  env: Environment,
  triggers: { readonly alarms: readonly { readonly arn: string }[]; readonly monitoringMinutes: number },
): PlatformAlarms | undefined {
  return platformAlarms(env, {
    platform: 'CloudFormation',
    alarms: triggers.alarms.map((a) => alarmNameOf(a.arn)),
    rollback: true,
    monitoringMinutes: triggers.monitoringMinutes,
  });
}

/** An alarm's name from its ARN (arn, partition, cloudwatch, region, account, "alarm", then the name). */
export function alarmNameOf(arn: string): string {
  const parts = arn.split(':');
  return parts.length > 6 && parts[5] === 'alarm' ? parts.slice(6).join(':') : arn;
}

/**
 * Whether AWS's words name this alarm: the name (alone, or at the end of its ARN) followed by no more
 * of a name, so `todo-5xx` is not read in `todo-5xx-latency`.
 */
export function mentionsAlarm(text: string | undefined, name: string): boolean {
  if (!text || !name) return false;
  for (let i = text.indexOf(name); i !== -1; i = text.indexOf(name, i + 1)) {
    const after = text[i + name.length];
    if (
      after === undefined ||
      /[\s\][)(>,;'"]/.test(after) ||
      (after === '.' && i + name.length === text.length - 1)
    )
      return true;
  }
  return false;
}
