import type { Environment, Principal } from '../../domain/catalog.js';
import { CapstanError } from '../../domain/errors.js';
import { alarmMatches } from '../../domain/verify.js';
import type { Alarms } from '../../ports/alarms.js';
import type { Directory } from '../../ports/chat.js';
import { isAllowed } from '../access.js';
import { verifies } from './begin.js';

/** An admin deployed although alarms were in ALARM: who, why, and which. */
export interface AlarmOverride {
  readonly by: string;
  readonly reason: string;
  readonly alarms: readonly string[];
}

/**
 * Before a deploy to an environment that verifies: every alarm pattern must match an alarm (one that
 * matches nothing is a mistake in capstan.yml, and would verify anything), and none may be in ALARM,
 * or the bake would judge a signal that was bad before the deploy. An admin's `--override "reason"`
 * goes through alarms in ALARM (returned, to be recorded and announced). INSUFFICIENT_DATA is no failure.
 */
export async function checkAlarmsBefore(
  deps: { readonly alarms?: Alarms | undefined; readonly directory: Directory },
  env: Environment,
  requestedBy: string,
  override: { readonly reason: string; readonly admins: readonly Principal[] } | undefined,
): Promise<AlarmOverride | undefined> {
  if (!verifies(env) || !deps.alarms) return undefined;
  const region = env.target.region;
  const readings = await deps.alarms.describe(region, env.verify.alarms);
  const unmatched = env.verify.alarms.filter((p) => !readings.some((r) => alarmMatches(p, r.name)));
  if (unmatched.length > 0)
    throw new CapstanError('invalid_state', {
      kind: 'verify.noSuchAlarm',
      app: env.app,
      env: env.name,
      region,
      patterns: unmatched,
    });
  const firing = readings.filter((r) => r.state === 'ALARM');
  if (firing.length === 0) return undefined;
  const fact = {
    kind: 'verify.alarmFiring' as const,
    app: env.app,
    env: env.name,
    alarms: firing.map((r) => ({ name: r.name, ...(r.reason !== undefined && { reason: r.reason }) })),
  };
  if (!override) throw new CapstanError('invalid_state', fact);
  if (override.admins.length === 0 || !(await isAllowed(deps.directory, requestedBy, override.admins)))
    throw new CapstanError('forbidden', fact);
  return { by: requestedBy, reason: override.reason, alarms: firing.map((r) => r.name) };
}
