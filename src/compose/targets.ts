import type { Sleep } from '../lib/sleep.js';
import { createBeanstalkStrategy } from '../targets/beanstalk.js';
import { createStackStrategy } from '../targets/cloudformation.js';
import { createCodeDeployStrategy } from '../targets/codedeploy.js';
import { createEcsStrategy } from '../targets/ecs.js';
import { createTargetRegistry } from '../targets/registry.js';
import type { AwsPorts } from './aws.js';

export interface TargetOptions {
  readonly now: () => number;
  readonly sleep: Sleep;
  /** How often a change set being computed is looked at. */
  readonly changeSetPollMs: number;
}

/** The one place each kind of target gets its strategy. */
export function createTargets(aws: AwsPorts, o: TargetOptions) {
  const { ecs, registry, stacks, objects } = aws;
  const { now } = o;
  return createTargetRegistry({
    beanstalk: createBeanstalkStrategy({ beanstalk: aws.beanstalk, objects, registry, now }),
    codedeploy: createCodeDeployStrategy({ codedeploy: aws.codedeploy, objects, registry, ecs, now }),
    ecs: createEcsStrategy({ ecs, registry, now }),
    cloudformation: createStackStrategy({
      stacks,
      registry,
      now,
      sleep: o.sleep,
      changeSetPollMs: o.changeSetPollMs,
      changeSetTimeoutMs: 10 * 60_000,
    }),
  });
}

export type Targets = ReturnType<typeof createTargets>;
