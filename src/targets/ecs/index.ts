import type { Strategy } from '../strategy.js';
import { apply, reconcile } from './apply.js';
import { check } from './check.js';
import { ecsEventGroups } from './events.js';
import { createObserver } from './observe.js';
import { continueAtPause, rollBackAtEcs } from './progressive/decide.js';
import { createProgressiveObserver } from './progressive/observe.js';
import type { EarlyObservations, Observation, Observed } from '../strategy.js';
import type { EcsEnvironment } from './service.js';
import { prepare } from './plan.js';
import { read, running } from './read.js';
import {
  type EcsContext,
  type EcsPlan,
  type EcsTrack,
  contextSchema,
  planSchema,
  trackSchema,
} from './schemas.js';
import { type EcsStrategyDeps, clusterGroup, describeService } from './service.js';

export type { EcsStrategyDeps } from './service.js';
export type { EcsContext, EcsPlan, EcsTrack } from './schemas.js';

/** An ECS service rolled out by UpdateService, followed by deployment id. */
export function createEcsStrategy(deps: EcsStrategyDeps): Strategy<'ecs', EcsPlan, EcsTrack, EcsContext> {
  return {
    kind: 'ecs',
    label: 'ECS',
    artifact: 'image',
    schemas: { plan: planSchema, data: trackSchema, context: contextSchema },
    describe: (env) => describeService(env.target),
    pollGroup: (env) => clusterGroup(env.target),
    check: (env, version, options) => check(deps, env, version, options),
    prepare: (env, req) => prepare(deps, env, req),
    // Nothing is registered before apply().
    discard: async () => {},
    apply: (env, req) => apply(deps, env, req),
    reconcile: (env, req) => reconcile(deps, env, req),
    observe: observeBoth(deps),
    read: (envs, detail) => read(deps, envs, detail),
    running: (env) => running(deps, env),
    proceed: (env, data) => continueAtPause(deps, env, data),
    rollBackInPlace: (env, data) => rollBackAtEcs(deps, env, data),
    eventGroups: ecsEventGroups,
  };
}

/**
 * ROLLING rollouts are followed by deployments[] as always; those of BLUE_GREEN, LINEAR and CANARY
 * services (their track has `sd`) by their service deployment's ARN.
 */
function observeBoth(deps: EcsStrategyDeps) {
  const rolling = createObserver(deps);
  const sdPort = deps.serviceDeployments;
  const progressive = sdPort
    ? createProgressiveObserver({ serviceDeployments: sdPort, now: deps.now })
    : undefined;
  return async (
    items: readonly Observed<EcsTrack, EcsEnvironment>[],
    early?: EarlyObservations<EcsTrack>,
  ): Promise<ReadonlyMap<string, Observation<EcsTrack>>> => {
    const byArn = progressive ? items.filter((i) => i.data.sd !== undefined) : [];
    const rest = items.filter((i) => !byArn.includes(i));
    const [a, b] = await Promise.all([
      rest.length > 0 ? rolling(rest, early) : new Map<string, Observation<EcsTrack>>(),
      progressive && byArn.length > 0 ? progressive(byArn) : new Map<string, Observation<EcsTrack>>(),
    ]);
    return new Map([...a, ...b]);
  };
}
