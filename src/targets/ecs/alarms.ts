import type { EcsAlarmsWentOff } from '../../domain/facts/ecs.js';
import type { EcsService } from '../../ports/ecs.js';
import { mentionsAlarm } from '../shared/platformAlarms.js';

/** ECS's words when it rolls a deployment back by itself. */
export const saysRollingBack = (said: string | undefined) => /rolling back|rolled back/i.test(said ?? '');

/**
 * Whether the service's own alarms (deploymentConfiguration.alarms) failed the followed deployment,
 * and which: a rolling deployment fails by its circuit breaker or by its alarms, each on its own.
 * ECS's exact words for an alarm failure are not documented, so they are read defensively: words
 * that name an alarm of the service, or say "alarm", are the alarms' (even beside the circuit
 * breaker's words: ECS may word an alarm failure with them); otherwise words that name the circuit
 * breaker are its failure; words that say neither are the alarms' only when the circuit breaker
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
  const named = a.names.filter((n) => mentionsAlarm(text, n));
  if (named.length > 0) return { names: named, named: true };
  if (/alarm/i.test(text)) return { names: [...a.names], named: a.names.length === 1 };
  if (/circuit breaker/i.test(text)) return undefined;
  const cb = service.circuitBreaker;
  if (cb.enable && (!rolledBack || cb.rollback)) return undefined;
  return { names: [...a.names], named: a.names.length === 1 };
}

/**
 * Whether the alarms, set to roll back, may have failed a deployment the words gave to the circuit
 * breaker (or to neither): then ECS may be about to roll back by itself, and Capstan waits one more
 * look for ECS's rollback deployment before it starts its own (two rollbacks at once otherwise).
 */
export function alarmsMayRollBack(service: EcsService, alarms: EcsAlarmsWentOff | undefined): boolean {
  const a = service.alarms;
  return alarms === undefined && a?.enable === true && a.rollback && a.names.length > 0;
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
