import { containerImage } from '../../../domain/taskDefinition.js';
import type { EcsService } from '../../../ports/ecs.js';
import type { EcsServiceDeployments } from '../../../ports/ecsServiceDeployments.js';
import type { ApplyRequest, Started } from '../../strategy.js';
import { newTrack } from '../evaluate.js';
import type { EcsPlan, EcsTrack } from '../schemas.js';
import type { EcsEnvironment, EcsStrategyDeps } from '../service.js';
import { findStarted } from './observe.js';
import { PROGRESSIVE, type ServiceDeploymentTrack } from './schemas.js';

/** How far back a restarted Capstan looks for the deployment its lost UpdateService started. */
const RECONCILE_WINDOW_MS = 15 * 60_000;

/** The service deployments port when this service deploys progressively: chosen by the service's own strategy. */
export function progressiveOf(deps: EcsStrategyDeps, service: EcsService): EcsServiceDeployments | undefined {
  return service.strategy && PROGRESSIVE.has(service.strategy) ? deps.serviceDeployments : undefined;
}

/** Registers the reviewed revision and starts a service deployment; followed by its ARN from here on. */
export async function applyProgressive(
  deps: EcsStrategyDeps & { readonly serviceDeployments: EcsServiceDeployments },
  env: EcsEnvironment,
  service: EcsService,
  req: ApplyRequest<EcsPlan>,
): Promise<Started<EcsTrack>> {
  const t = env.target;
  const since = deps.now();
  const arn = await deps.ecs.registerTaskDefinition(t.region, req.plan.next);
  const { serviceDeploymentArn } = await deps.serviceDeployments.update(t, t.service, arn);
  const sd: ServiceDeploymentTrack = {
    strategy: service.strategy ?? 'BLUE_GREEN',
    since,
    ...(serviceDeploymentArn ? { hinted: serviceDeploymentArn } : {}),
  };
  return started(deps, env, arn, sd, req.plan);
}

/** After a restart or a lost answer: Capstan's revision is what the service asks for, so the update took effect. */
export async function reconcileProgressive(
  deps: EcsStrategyDeps & { readonly serviceDeployments: EcsServiceDeployments },
  env: EcsEnvironment,
  service: EcsService,
  req: ApplyRequest<EcsPlan>,
): Promise<Started<EcsTrack> | undefined> {
  const t = env.target;
  if (service.taskDefinition === req.plan.currentArn) return undefined;
  const doc = await deps.ecs.describeTaskDefinition(t.region, service.taskDefinition);
  if (containerImage(doc.taskDefinition, t.container) !== req.plan.image) return undefined;
  const sd: ServiceDeploymentTrack = {
    strategy: service.strategy ?? 'BLUE_GREEN',
    since: deps.now() - RECONCILE_WINDOW_MS,
  };
  return started(deps, env, service.taskDefinition, sd, req.plan);
}

async function started(
  deps: EcsStrategyDeps & { readonly serviceDeployments: EcsServiceDeployments },
  env: EcsEnvironment,
  taskDefinitionArn: string,
  sd: ServiceDeploymentTrack,
  plan: EcsPlan,
): Promise<Started<EcsTrack>> {
  // ECS may list it only a moment later: then the first looks find it.
  const found = await findStarted(deps as Parameters<typeof findStarted>[0], env, sd).catch(() => undefined);
  const track = {
    ...newTrack(taskDefinitionArn, undefined, deps.now(), plan.currentArn),
    sd: { ...sd, arn: found },
  };
  return {
    data: track,
    lines: [
      {
        kind: 'ecs.serviceDeploymentStarted',
        service: env.target.service,
        strategy: sd.strategy,
        taskDefinitionArn,
        image: plan.image,
        ...(found ? { arn: found } : {}),
      },
    ],
  };
}
