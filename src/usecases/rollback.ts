import type { Environment } from '../domain/catalog.js';
import { CapstanError } from '../domain/errors.js';
import { runningVersion } from '../domain/taskDefinition.js';
import type { Store } from '../ports/store.js';
import { requireDeployer } from './access.js';
import {
  type DeployDeps,
  type DeployResult,
  ecsTarget,
  gateOrStart,
  planEcsDeploy,
  readRunning,
} from './deploy.js';

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
  const running = await readRunning(deps.ecs, target);
  const runningNow = runningVersion(running.current, target.container);
  const version = await rollbackTarget(deps.store, env, runningNow, named);
  if (version === runningNow)
    throw new CapstanError('invalid_state', `${env.app}/${env.name} already runs \`${version}\`.`);
  // A named version that never succeeded here must at least exist in ECR: the plan checks that.
  const plan = await planEcsDeploy(deps, env, version, requestedBy, { running });
  return gateOrStart(deps, env, plan, 'rollback', requestedBy);
}
