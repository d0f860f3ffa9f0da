import type { EcsAlarmsWentOff } from '../../domain/facts/ecs.js';
import type { EcsService } from '../../ports/ecs.js';
import { mentionsAlarm } from '../shared/platformAlarms.js';

/** ECS's words when it rolls a deployment back by itself. */
export const saysRollingBack = (said: string | undefined) => /rolling back|rolled back/i.test(said ?? '');

/**
 * Whether the service's own alarms (deploymentConfiguration.alarms) failed the followed deployment,
 * and which: a rolling deployment fails by its circuit breaker or by its alarms, each on its own.
 * ECS's exact words for an alarm failure are not documented, so they are read defensively: words
 * that name the circuit breaker are its failure; words that name an alarm of the service, or say
 * "alarm", are the alarms'; words that say neither are the alarms' only when the circuit breaker
 * could not have done it (off; or, for a deployment ECS rolled back, not set to roll back).
 *
 * `rolledBack`: ECS replaced the deployment (only a mechanism set to roll back does that).
 */
export function alarmsFailedIt(
  service: EcsService,
  said: string | undefined,
  rolledBack: boolean,
): EcsAlarmsWentOff | undefined {
  const a = service.alarms;
  if (!a?.enable || a.names.length === 0 || (rolledBack && !a.rollback)) return undefined;
  const text = said ?? '';
  if (/circuit breaker/i.test(text)) return undefined;
  const named = a.names.filter((n) => mentionsAlarm(text, n));
  if (named.length > 0) return { names: named, named: true };
  const cb = service.circuitBreaker;
  const breakerCould = cb.enable && (!rolledBack || cb.rollback);
  if (breakerCould && !/alarm/i.test(text)) return undefined;
  return { names: [...a.names], named: a.names.length === 1 };
}

/**
 * Whether ECS rolls the failed deployment back by itself: as it says, or as the mechanism that
 * failed it is set to (the alarms' `rollback` for an alarm failure, the circuit breaker's otherwise).
 */
export function ecsRollsBack(
  service: EcsService,
  said: string | undefined,
  alarms: EcsAlarmsWentOff | undefined,
): boolean {
  if (saysRollingBack(said)) return true;
  return alarms ? service.alarms?.rollback === true : service.circuitBreaker.rollback;
}
