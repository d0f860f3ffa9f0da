import type { Catalog, Environment } from '../domain/catalog.js';
import { findEnvironment } from '../domain/catalog.js';
import type { Deployment } from '../domain/deployment.js';
import { errorMessage } from '../lib/errors.js';
import { type DeployDeps, save, showAndRecord } from './deploy.js';
import { type ReleaseDeps, executeRelease, reviewChangeSet } from './release.js';
import { newWatch } from './rollout/evaluate.js';

/**
 * After a restart: every rollout and change set Capstan had started is followed again, and work
 * caught between two steps is settled by asking AWS what actually happened.
 */
export async function resumeInFlight(
  deps: DeployDeps,
  release: ReleaseDeps,
  catalog: Catalog,
): Promise<{ resumed: number; settled: number }> {
  let resumed = 0;
  let settled = 0;
  for (const d of await deps.store.inFlight()) {
    const env = findEnvironment(catalog, d.app, d.env);
    if (!env) continue;
    try {
      if (d.release) {
        if (await resumeRelease(release, env, d)) resumed++;
        else settled++;
      } else if ((d.state === 'rolling_out' || d.state === 'rolling_back') && d.watch) {
        deps.follow(d);
        resumed++;
      } else if (d.state === 'checking' && env.target.kind === 'ecs') {
        await settleChecking(deps, d, env.target);
        settled++;
      }
    } catch (e) {
      deps.logger.error('could not resume a deployment', { id: d.id, error: errorMessage(e) });
    }
  }
  return { resumed, settled };
}

async function resumeRelease(deps: ReleaseDeps, env: Environment, d: Deployment): Promise<boolean> {
  const r = d.release!;
  if (d.state === 'executing' && r.executedAt !== undefined) {
    deps.follow(d);
    return true;
  }
  if (d.state === 'executing' && r.changeSetArn) {
    const cs = await deps.stacks.describeChangeSet(r.region, r.changeSetArn);
    if (cs.executionStatus === 'AVAILABLE') {
      // Approved, but Capstan stopped before executing: the approval still stands.
      deps.background(executeRelease(deps, d));
    } else {
      const now = deps.clock.now();
      deps.follow(
        await save(deps.store, d, { release: { ...r, executedAt: d.updatedAt, seenEvents: [] } }, now),
      );
    }
    return true;
  }
  if (d.state === 'checking' && r.changeSetArn) {
    deps.background(reviewChangeSet(deps, env, d));
    return true;
  }
  if (d.state === 'checking') {
    const now = deps.clock.now();
    await showAndRecord(
      deps,
      await save(
        deps.store,
        d,
        {
          state: 'failed',
          reason:
            'Capstan restarted before the change set was created; nothing changed. Run the deploy again.',
          finishedAt: now,
        },
        now,
      ),
    );
  }
  return false;
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
