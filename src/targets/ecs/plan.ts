import { planRevision } from '../shared/taskDefinition.js';
import type { PrepareRequest, Prepared } from '../strategy.js';
import { check } from './check.js';
import type { EcsContext, EcsPlan } from './schemas.js';
import { type EcsEnvironment, type EcsStrategyDeps, serviceConsoleUrl } from './service.js';

/** The next revision and its differences, for dry runs, reviews and apply(). Nothing is registered yet. */
export async function prepare(
  deps: EcsStrategyDeps,
  env: EcsEnvironment,
  req: PrepareRequest<EcsContext>,
): Promise<Prepared<EcsPlan>> {
  const t = env.target;
  const source = req.checked.context ?? (await check(deps, env, req.version)).context;
  const planned = planRevision(source, {
    container: t.container,
    version: req.version,
    requestedBy: req.requestedBy,
  });
  return {
    plan: { next: planned.next, currentArn: source.currentArn, image: planned.image },
    unchanged: planned.unchanged,
    review: {
      diff: { title: 'Task definition changes', lines: planned.changes },
      link: { label: `ECS service ${t.service}`, url: serviceConsoleUrl(t) },
      ...(source.platformAlarms && { platformAlarms: source.platformAlarms }),
    },
  };
}
