import type { Environment } from '../../domain/catalog.js';
import type { Deployment, Tracking } from '../../domain/deployment.js';
import type { VerifyPolicy } from '../../domain/verify.js';
import type { DeployDeps } from '../deps.js';
import { save } from '../record.js';

/** An environment that verifies its rollouts. */
export type VerifiedEnvironment = Environment & { readonly verify: VerifyPolicy };

export function verifies(env: Environment): env is VerifiedEnvironment {
  return env.verify !== undefined;
}

/**
 * The rollout succeeded: it is verifying now, for the bake. Its end and what it watches go in the
 * ledger first, so another replica (or this one after a restart) carries the same bake on.
 */
export async function beginBake(
  deps: DeployDeps,
  d: Deployment,
  env: VerifiedEnvironment,
  tracking: Tracking,
): Promise<Deployment> {
  const now = deps.clock.now();
  const endsAt = now + env.verify.bakeMs;
  const cur = await save(
    deps.store,
    d,
    {
      state: 'verifying',
      tracking,
      verification: {
        startedAt: now,
        endsAt,
        onAlarm: env.verify.onAlarm,
        // Filled by the first look; the message says the alarms are being read until then.
        alarms: [],
      },
    },
    now,
  );
  deps.notifier.detail(cur, [{ kind: 'verify.baking', until: endsAt, alarms: [...env.verify.alarms] }]);
  await deps.notifier.show(cur);
  return cur;
}
