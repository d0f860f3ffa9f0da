import type { Catalog } from '../domain/catalog.js';
import { findEnvironment } from '../domain/catalog.js';
import type { Deployment } from '../domain/deployment.js';
import { errorMessage } from '../lib/errors.js';
import { type DeployDeps, save, showAndRecord } from './deploy.js';
import { newWatch } from './rollout/evaluate.js';

/**
 * After a restart: every rollout Capstan had started is followed again, and one caught between
 * "recorded" and "ECS updated" is settled by asking ECS what actually happened.
 */
export async function resumeInFlight(
  deps: DeployDeps,
  catalog: Catalog,
): Promise<{ resumed: number; settled: number }> {
  let resumed = 0;
  let settled = 0;
  for (const d of await deps.store.inFlight()) {
    const env = findEnvironment(catalog, d.app, d.env);
    if (!env || env.target.kind !== 'ecs') continue;
    try {
      if ((d.state === 'rolling_out' || d.state === 'rolling_back') && d.watch) {
        deps.follow(d);
        resumed++;
      } else if (d.state === 'checking') {
        await settleChecking(deps, d, env.target);
        settled++;
      }
    } catch (e) {
      deps.logger.error('could not resume a deployment', { id: d.id, error: errorMessage(e) });
    }
  }
  return { resumed, settled };
}

async function settleChecking(
  deps: DeployDeps,
  d: Deployment,
  target: { region: string; cluster: string; service: string },
): Promise<void> {
  const now = deps.clock.now();
  if (d.taskDefinitionArn) {
    const { services } = await deps.ecs.describeServices(target, [target.service]);
    const dep = services[0]?.deployments.find((x) => x.taskDefinition === d.taskDefinitionArn);
    if (dep) {
      const cur = await save(
        deps.store,
        d,
        {
          state: 'rolling_out',
          watch: { ...newWatch('rollout', d.taskDefinitionArn, dep.id, now), lastEventAt: d.createdAt },
        },
        now,
      );
      deps.notifier.detail(cur, ['Capstan restarted and picked this rollout up again.']);
      deps.follow(cur);
      return;
    }
  }
  const failed = await save(
    deps.store,
    d,
    {
      state: 'failed',
      reason: 'Capstan restarted before the ECS service was updated; nothing changed. Run the deploy again.',
      finishedAt: now,
    },
    now,
  );
  await showAndRecord(deps, failed);
}
