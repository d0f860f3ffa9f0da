import { CapstanError } from '../../domain/errors.js';
import { runningVersion } from '../../domain/taskDefinition.js';
import { requireImage } from '../image.js';
import { ecsPlatformAlarms } from '../shared/platformAlarms.js';
import { planRevision, readRevisionSource } from '../shared/taskDefinition.js';
import type { CheckOptions, Checked } from '../strategy.js';
import type { EcsContext } from './schemas.js';
import { type EcsEnvironment, type EcsStrategyDeps, readService, where } from './service.js';

/**
 * Pre-flight, reads only: the tag exists, the cluster and the service are ACTIVE, no rollout is
 * under way (unless Capstan is rolling one back), and the running task definition has the container.
 */
export async function check(
  deps: EcsStrategyDeps,
  env: EcsEnvironment,
  version: string,
  options?: CheckOptions,
): Promise<Checked<EcsContext> & { readonly context: EcsContext }> {
  const t = env.target;
  const [image, clusterStatus, service] = await Promise.all([
    requireImage(deps.registry, t.region, t.repository, version, options?.digest),
    deps.ecs.clusterStatus(t),
    readService(deps.ecs, t),
  ]);
  if (clusterStatus !== 'ACTIVE') {
    throw new CapstanError('invalid_state', {
      kind: 'ecs.clusterNotActive',
      cluster: t.cluster,
      region: t.region,
      status: clusterStatus,
    });
  }
  const busy = service.deployments.find((d) => d.rolloutState === 'IN_PROGRESS');
  if (busy && !options?.rollingBack) {
    throw new CapstanError('conflict', { kind: 'ecs.serviceBusy', ...where(t), deploymentId: busy.id });
  }
  // The revision the service runs now, not the newest one in the family.
  const source = await readRevisionSource(deps.ecs, t.region, service.taskDefinition, image);
  const context: EcsContext = { ...source, platformAlarms: ecsPlatformAlarms(env, service) };
  // Refuses a missing container before anything is recorded.
  planRevision(context, { container: t.container, version, requestedBy: 'check' });
  return {
    fromVersion: runningVersion(context.current, t.container),
    digest: image.digest,
    pushedAt: image.pushedAt,
    context,
  };
}
