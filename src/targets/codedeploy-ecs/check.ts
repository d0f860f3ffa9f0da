import type { CodeDeployEcsTarget } from '../../domain/catalog.js';
import { CapstanError } from '../../domain/errors.js';
import { type TaskDefinitionDocument, runningVersion } from '../../domain/taskDefinition.js';
import type { CodeDeploy, DeploymentGroup } from '../../ports/codedeploy.js';
import type { Ecs, EcsService } from '../../ports/ecs.js';
import type { Registry } from '../../ports/registry.js';
import { requireGroup, requireIdle } from '../codedeploy-shared/group.js';
import { codeDeployPlatformAlarms } from '../shared/platformAlarms.js';
import { requireImage } from '../image.js';
import type { EnvironmentOf } from '../strategy.js';
import { taskDefinitionInAppSpec } from './appspec.js';
import { nextDocument } from './next.js';
import type { Context } from './schemas.js';

export type BlueGreenEnvironment = EnvironmentOf<'codedeploy-ecs'>;

export interface CheckDeps {
  readonly codedeploy: CodeDeploy;
  readonly registry: Registry;
  readonly ecs: Ecs;
}

/** The group, refused unless it deploys to ECS and (when it names services) to the service capstan.yml names. */
export async function requireEcsGroup(cd: CodeDeploy, t: CodeDeployEcsTarget): Promise<DeploymentGroup> {
  const group = await requireGroup(cd, t, 'ECS');
  const { cluster, service } = t.ecs;
  if (
    group.ecsServices.length > 0 &&
    !group.ecsServices.some((s) => s.service === service && s.cluster === cluster)
  ) {
    throw new CapstanError('invalid_state', {
      kind: 'codedeploy.otherService',
      group: t.deploymentGroup,
      deploys: group.ecsServices.map((s) => `${s.cluster}/${s.service}`),
      cluster,
      service,
    });
  }
  return group;
}

export async function readService(ecs: Ecs, t: CodeDeployEcsTarget): Promise<EcsService> {
  const e = t.ecs;
  const { services } = await ecs.describeServices({ region: t.region, cluster: e.cluster }, [e.service]);
  const service = services[0];
  if (!service) {
    throw new CapstanError('not_found', {
      kind: 'codedeploy.serviceNotFound',
      service: e.service,
      cluster: e.cluster,
      region: t.region,
    });
  }
  return service;
}

/** The task definition the blue/green service runs: the service says it; the group's AppSpec is the fallback. */
export async function currentTaskDefinition(
  ecs: Ecs,
  t: CodeDeployEcsTarget,
  group: DeploymentGroup | undefined,
): Promise<{ arn: string; doc: TaskDefinitionDocument }> {
  const service = await readService(ecs, t);
  const rev = group?.targetRevision;
  const arn =
    service.taskDefinition || (rev?.kind === 'appspec' ? taskDefinitionInAppSpec(rev.content) : undefined);
  if (!arn) {
    throw new CapstanError('invalid_state', { kind: 'codedeploy.noTaskDefinition', service: t.ecs.service });
  }
  return { arn, doc: await ecs.describeTaskDefinition(t.region, arn) };
}

/** Pre-flight: the group deploys this ECS service and is idle, the tag resolves, the container exists. */
export async function check(
  deps: CheckDeps,
  env: BlueGreenEnvironment,
  version: string,
  /** `/deploy promote`: the image is found by this digest. */
  digest?: string,
): Promise<{
  readonly fromVersion: string | undefined;
  readonly digest: string;
  readonly pushedAt?: number | undefined;
  readonly context: Context;
}> {
  const t = env.target;
  const group = await requireEcsGroup(deps.codedeploy, t);
  await requireIdle(deps.codedeploy, t);
  const [image, current] = await Promise.all([
    requireImage(deps.registry, t.region, t.ecs.repository, version, digest),
    currentTaskDefinition(deps.ecs, t, group),
  ]);
  const context: Context = {
    version,
    currentArn: current.arn,
    current: { taskDefinition: { ...current.doc.taskDefinition }, tags: [...current.doc.tags] },
    image: { repositoryUri: image.repositoryUri, digest: image.digest },
    platformAlarms: codeDeployPlatformAlarms(env, group),
  };
  nextDocument(t, context, version, 'check'); // refuses a missing container before anything is recorded
  return {
    fromVersion: runningVersion(current.doc, t.ecs.container),
    digest: image.digest,
    pushedAt: image.pushedAt,
    context,
  };
}
