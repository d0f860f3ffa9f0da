import type { Environment } from '../../domain/catalog.js';
import type { Deployment, Tracking } from '../../domain/deployment.js';
import type { VerifyPolicy } from '../../domain/verify.js';
import type { DeployDeps } from '../deps.js';
import { saveInFlight } from '../record.js';

/** An environment that verifies its rollouts. */
export type VerifiedEnvironment = Environment & { readonly verify: VerifyPolicy };

export function verifies(env: Environment): env is VerifiedEnvironment {
  return env.verify !== undefined;
}

/**
 * The rollout succeeded: it is verifying now, for the bake. Its end and what it watches go in the
 * ledger first, so another replica (or this one after a restart) carries the same bake on.
 *
 * `watched`: the target watched the alarms itself from then until now (CloudFormation's monitoring
 * window). That time counts: the bake begins then and ends a whole bake later, or at once when that
 * is past; its first look reads every alarm's history since then, so an alarm the target did not
 * watch (beyond its five triggers) is not missed. Never shorter than the bake, never watched twice.
 */
export async function beginBake(
  deps: DeployDeps,
  d: Deployment,
  env: VerifiedEnvironment,
  tracking: Tracking,
  watched?: { readonly by: string; readonly from: number },
): Promise<Deployment | undefined> {
  const now = deps.clock.now();
  const counted = watched && watched.from <= now ? { ...watched, until: now } : undefined;
  const startedAt = counted?.from ?? now;
  const endsAt = Math.max(now, startedAt + env.verify.bakeMs);
  const cur = await saveInFlight(
    deps.store,
    d,
    {
      state: 'verifying',
      tracking,
      verification: {
        startedAt,
        endsAt,
        // Rolling back a rollback is a guess: after `/deploy rollback`, an alarm asks people.
        onAlarm: d.kind === 'rollback' ? 'ask' : env.verify.onAlarm,
        // Filled by the first look; the message says the alarms are being read until then.
        alarms: [],
        ...(counted && { counted }),
      },
    },
    now,
  );
  // Another replica decided meanwhile (this one stalled): its word stands.
  if (!cur) return undefined;
  deps.notifier.detail(cur, [
    {
      kind: 'verify.baking',
      until: endsAt,
      alarms: [...env.verify.alarms],
      ...(counted && { counted: { by: counted.by, from: counted.from } }),
    },
  ]);
  await deps.notifier.show(cur);
  return cur;
}
