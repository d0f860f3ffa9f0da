import type { EcsTarget } from '../../domain/catalog.js';
import { CapstanError } from '../../domain/errors.js';
import { containerImage } from '../../domain/taskDefinition.js';
import type { ApplyRequest, Started } from '../strategy.js';
import { newTrack } from './evaluate.js';
import { applyProgressive, progressiveOf, reconcileProgressive } from './progressive/apply.js';
import type { EcsPlan, EcsTrack } from './schemas.js';
import { type EcsEnvironment, type EcsStrategyDeps, readService, where } from './service.js';

/** Registers the reviewed revision and points the service at it, unless the service moved since the review. */
export async function apply(
  deps: EcsStrategyDeps,
  env: EcsEnvironment,
  req: ApplyRequest<EcsPlan>,
): Promise<Started<EcsTrack>> {
  const t = env.target;
  const { plan } = req;
  const service = await readService(deps.ecs, t);
  if (service.taskDefinition !== plan.currentArn) {
    throw new CapstanError('conflict', {
      kind: 'ecs.serviceChanged',
      ...where(t),
      runsNow: service.taskDefinition,
      reviewed: plan.currentArn,
    });
  }
  const progressive = progressiveOf(deps, service);
  if (progressive) return applyProgressive({ ...deps, serviceDeployments: progressive }, env, service, req);
  const arn = await deps.ecs.registerTaskDefinition(t.region, plan.next);
  const deploymentId = await deps.ecs.updateService(t, t.service, arn);
  return started(deps, t, arn, deploymentId, plan);
}

/** After a restart or an error from apply(): the deployment of Capstan's revision, if the update took effect. */
export async function reconcile(
  deps: EcsStrategyDeps,
  env: EcsEnvironment,
  req: ApplyRequest<EcsPlan>,
): Promise<Started<EcsTrack> | undefined> {
  const t = env.target;
  const { plan } = req;
  const service = await readService(deps.ecs, t);
  const progressive = progressiveOf(deps, service);
  if (progressive)
    return reconcileProgressive({ ...deps, serviceDeployments: progressive }, env, service, req);
  // Capstan's revision carries the request's image and tags; a deployment of it means the update took effect.
  // Newest first: a rollback's image is also the image of the old deployment still draining.
  const newestFirst = [...service.deployments].sort(
    (a, b) =>
      Number(b.status === 'PRIMARY') - Number(a.status === 'PRIMARY') ||
      (b.createdAt ?? 0) - (a.createdAt ?? 0),
  );
  for (const dep of newestFirst) {
    if (dep.taskDefinition === plan.currentArn) continue;
    const doc = await deps.ecs.describeTaskDefinition(t.region, dep.taskDefinition);
    if (containerImage(doc.taskDefinition, t.container) === plan.image)
      return started(deps, t, dep.taskDefinition, dep.id, plan);
  }
  return undefined;
}

function started(
  deps: EcsStrategyDeps,
  t: EcsTarget,
  arn: string,
  deploymentId: string,
  plan: EcsPlan,
): Started<EcsTrack> {
  return {
    data: newTrack(arn, deploymentId, deps.now(), plan.currentArn),
    lines: [
      {
        kind: 'ecs.deploymentStarted',
        service: t.service,
        taskDefinitionArn: arn,
        image: plan.image,
        deploymentId,
      },
    ],
  };
}
