import type { Strategy } from '../strategy.js';
import { apply, reconcile } from './apply.js';
import { check } from './check.js';
import type { StackStrategyDeps } from './deps.js';
import { stackEventGroups, stackGroup } from './events.js';
import { observe } from './observe.js';
import { discard, prepare } from './plan.js';
import { read, running } from './read.js';
import {
  type StackContext,
  type StackPlan,
  type StackTrack,
  stackContextSchema,
  stackPlanSchema,
  stackTrackSchema,
} from './schemas.js';

export type { StackStrategyDeps } from './deps.js';

/** A CloudFormation stack changed through a change set people review: the image parameter, every other one kept. */
export function createStackStrategy(
  deps: StackStrategyDeps,
): Strategy<'cloudformation', StackPlan, StackTrack, StackContext> {
  return {
    kind: 'cloudformation',
    label: 'CloudFormation',
    artifact: 'image',
    schemas: { plan: stackPlanSchema, data: stackTrackSchema, context: stackContextSchema },
    describe: (env) => `CloudFormation stack ${env.target.stack} (${env.target.region})`,
    pollGroup: (env) => stackGroup(env.target.region, env.target.stack),
    check: (env, version, options) => check(deps, env, version, options?.digest),
    prepare: (env, req) => prepare(deps, env, req),
    discard: (_env, plan) => discard(deps, plan),
    apply: (_env, req) => apply(deps, req),
    reconcile: (_env, req) => reconcile(deps, req),
    observe: (items) => observe(deps.stacks, items),
    read: (envs, detail) => read(deps.stacks, envs, detail),
    running: (env) => running(deps.stacks, env),
    eventGroups: stackEventGroups,
  };
}
