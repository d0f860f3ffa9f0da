import type { Environment } from '../domain/catalog.js';
import { CapstanError } from '../domain/errors.js';
import { readSource } from './promotion.js';
import { type DeployDeps, type DeployResult, type OverrideRequest, requestDeploy } from './deploy.js';

/**
 * `/deploy promote <app> [from <env>] to <env>`: deploys to `to`, through its normal flow (approvals,
 * locks, freezes, its promotion gate), exactly the image digest that runs verified in the source,
 * under the tag it was deployed with there. The destination's check must resolve that tag to the
 * same digest, or nothing changes.
 */
export async function requestPromotion(
  deps: DeployDeps,
  to: Environment,
  from: Environment | undefined,
  requestedBy: string,
  override?: OverrideRequest,
): Promise<DeployResult> {
  if (!from)
    throw new CapstanError('invalid_state', { kind: 'promotion.noSource', app: to.app, env: to.name });
  for (const [env, end] of [
    [from, 'from'],
    [to, 'to'],
  ] as const) {
    if (deps.targets.for(env).artifact === 'bundle')
      throw new CapstanError('invalid_state', {
        kind: 'promotion.noImage',
        app: to.app,
        env: to.name,
        bundleEnv: env.name,
        end,
      });
  }
  const { running: last, runsVerified } = await readSource(deps, from.app, from);
  if (!last?.imageDigest || !runsVerified) {
    throw new CapstanError('invalid_state', {
      kind: 'promotion.nothingVerified',
      app: to.app,
      env: to.name,
      from: from.name,
      last: last && { version: last.toVersion, state: last.state },
    });
  }
  return requestDeploy(deps, to, last.toVersion, requestedBy, {
    override,
    promote: { from: from.name, digest: last.imageDigest },
  });
}
