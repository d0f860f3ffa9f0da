import type { EcsServiceDeployments, ServiceDeploymentBrief } from '../../../ports/ecsServiceDeployments.js';
import { observeEach, unreadable } from '../../each.js';
import type { Observation, Observed } from '../../strategy.js';
import type { EcsTrack } from '../schemas.js';
import type { EcsEnvironment } from '../service.js';
import { type ServiceDeploymentLook, evaluateServiceDeployment } from './evaluate.js';
import type { ServiceDeploymentTrack } from './schemas.js';

type Track = EcsTrack & { readonly sd: ServiceDeploymentTrack };
type Item = Observed<EcsTrack, EcsEnvironment>;

export interface ProgressiveDeps {
  readonly serviceDeployments: EcsServiceDeployments;
  readonly now: () => number;
}

/** ECS's clocks and Capstan's differ a little: a deployment this much older than Capstan's call still counts. */
const SKEW_MS = 5_000;

/**
 * The deployment Capstan's UpdateService started: the one UpdateService named when ECS lists it
 * among those created since, else the first created since. Undefined until ECS lists one.
 */
export function pickStarted(
  candidates: readonly ServiceDeploymentBrief[],
  sd: ServiceDeploymentTrack,
): string | undefined {
  if (sd.hinted && candidates.some((c) => c.arn === sd.hinted)) return sd.hinted;
  const oldest = [...candidates].sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0))[0];
  return oldest?.arn;
}

/** Finds the ARN of Capstan's deployment when it is not known yet. */
export async function findStarted(
  deps: ProgressiveDeps,
  env: EcsEnvironment,
  sd: ServiceDeploymentTrack,
): Promise<string | undefined> {
  const t = env.target;
  const listed = await deps.serviceDeployments.list(t, t.service, sd.since - SKEW_MS);
  return pickStarted(listed, sd);
}

/** One look at the service deployments of one cluster's progressive rollouts, each judged by ARN. */
export function createProgressiveObserver(deps: ProgressiveDeps) {
  async function one(item: Item & { data: Track }): Promise<Observation<EcsTrack>> {
    const t = item.env.target;
    let sd = item.data.sd;
    if (!sd.arn) {
      const arn = await findStarted(deps, item.env, sd);
      if (!arn) return evaluateServiceDeployment({}, item.data, item.phase, deps.now());
      sd = { ...sd, arn };
    }
    const answer = await deps.serviceDeployments.describe(t.region, [sd.arn!]);
    const look: ServiceDeploymentLook = {
      deployment: answer.deployments.find((d) => d.arn === sd.arn),
      missing: answer.missing.includes(sd.arn!),
    };
    let newer: ServiceDeploymentBrief | undefined;
    if (look.deployment?.status === 'STOPPED') {
      // Stopped by a newer deployment (someone else's UpdateService), or by a person.
      const since = look.deployment.createdAt ?? sd.since;
      newer = (await deps.serviceDeployments.list(t, t.service, since)).find(
        (b) => b.arn !== sd.arn && (b.createdAt ?? 0) >= since,
      );
    }
    return evaluateServiceDeployment({ ...look, newer }, { ...item.data, sd }, item.phase, deps.now());
  }

  return async function observe(items: readonly Item[]): Promise<ReadonlyMap<string, Observation<EcsTrack>>> {
    return observeEach(items, async (item) => {
      const sd = item.data.sd;
      if (!sd) return unreadable(item, new Error('not a progressive ECS rollout'));
      return one({ ...item, data: { ...item.data, sd } });
    });
  };
}
