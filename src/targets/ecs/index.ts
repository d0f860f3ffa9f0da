import type { Strategy } from '../strategy.js';
import { apply, reconcile } from './apply.js';
import { check } from './check.js';
import { ecsEventGroups } from './events.js';
import { createObserver } from './observe.js';
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
    schemas: { plan: planSchema, data: trackSchema, context: contextSchema },
    describe: (env) => describeService(env.target),
    pollGroup: (env) => clusterGroup(env.target),
    check: (env, version, options) => check(deps, env, version, options),
    prepare: (env, req) => prepare(deps, env, req),
    // Nothing is registered before apply().
    discard: async () => {},
    apply: (env, req) => apply(deps, env, req),
    reconcile: (env, req) => reconcile(deps, env, req),
    observe: createObserver(deps),
    read: (envs, detail) => read(deps, envs, detail),
    running: (env) => running(deps, env),
    eventGroups: ecsEventGroups,
  };
}
