import type { Strategy } from '../strategy.js';
import { apply, reconcile } from './apply.js';
import { check } from './check.js';
import type { BeanstalkStrategyDeps } from './deps.js';
import { where } from './environment.js';
import { observe } from './observe.js';
import { discard, prepare } from './plan.js';
import { read, running } from './read.js';
import {
  type BeanstalkContext,
  type BeanstalkPlan,
  type BeanstalkTrack,
  beanstalkSchemas,
} from './schemas.js';

export type BeanstalkStrategy = Strategy<'beanstalk', BeanstalkPlan, BeanstalkTrack, BeanstalkContext>;

/** An Elastic Beanstalk environment (Docker platform) deployed by application version label. */
export function createBeanstalkStrategy(deps: BeanstalkStrategyDeps): BeanstalkStrategy {
  return {
    kind: 'beanstalk',
    label: 'Elastic Beanstalk',
    artifact: 'image',
    schemas: beanstalkSchemas,
    describe: (env) => where(env.target),
    pollGroup: (env) => `beanstalk|${env.target.region}|${env.target.application}`,
    check: (env, version, options) => check(deps, env.target, version, options?.digest),
    prepare: (env, req) => prepare(deps, env.target, req),
    discard,
    apply: (env, req) => apply(deps, env.target, req),
    reconcile: (env, req) => reconcile(deps, env.target, req),
    observe: (items) => observe(deps, items),
    read: (envs, detail) => read(deps, envs, detail),
    running: (env) => running(deps, env.target),
  };
}
