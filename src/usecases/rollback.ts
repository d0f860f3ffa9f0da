import type { Environment } from '../domain/catalog.js';
import { CapstanError } from '../domain/errors.js';
import type { Store } from '../ports/store.js';
import { requireDeployer } from './access.js';
import { VERSION_TAG, containerImage, tagValue } from '../domain/taskDefinition.js';
import { parseImage } from '../domain/version.js';
import type { EcsTarget } from '../domain/catalog.js';
import { type DeployDeps, type DeployResult, ecsTarget, gateOrStart, planEcsDeploy } from './deploy.js';

async function versionOf(
  deps: DeployDeps,
  target: EcsTarget,
  taskDefinition: string,
): Promise<string | undefined> {
  const td = await deps.ecs.describeTaskDefinition(target.region, taskDefinition);
  const image = containerImage(td.taskDefinition, target.container);
  return tagValue(td.tags, VERSION_TAG) ?? (image ? parseImage(image).tag : undefined);
}

/**
 * The version to go back to: the one named (it must have succeeded here before, or exist in ECR),
 * or the most recent version that succeeded here and is not the one running now.
 */
export async function rollbackTarget(
  store: Store,
  env: Environment,
  running: string | undefined,
  named?: string,
): Promise<string> {
  if (named !== undefined) return named;
  const good = await store.goodVersions(env.app, env.name, 10);
  const target = good.find((g) => g.version !== running);
  if (!target) {
    throw new CapstanError(
      'invalid_state',
      `Capstan has no earlier good version of ${env.app} in ${env.name}. Name one: \`/deploy rollback ${env.app} ${env.name} to <version>\`.`,
    );
  }
  return target.version;
}

/** `/deploy rollback <app> [<env>] [to <version>]`: the deploy flow, towards a known-good version. */
export async function rollbackEcs(
  deps: DeployDeps,
  env: Environment,
  requestedBy: string,
  named?: string,
): Promise<DeployResult> {
  await requireDeployer(deps.directory, env, requestedBy);
  const target = ecsTarget(env);
  const { services } = await deps.ecs.describeServices(target, [target.service]);
  const service = services[0];
  const running = service ? await versionOf(deps, target, service.taskDefinition) : undefined;
  const version = await rollbackTarget(deps.store, env, running, named);
  if (version === running)
    throw new CapstanError('invalid_state', `${env.app}/${env.name} already runs \`${version}\`.`);
  // A named version that never succeeded here must at least exist in ECR: the plan checks that.
  const plan = await planEcsDeploy(deps, env, version, requestedBy);
  return gateOrStart(deps, env, plan, 'rollback', requestedBy);
}
