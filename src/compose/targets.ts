import { createBeanstalkStrategy } from '../targets/beanstalk/index.js';
import { createStackStrategy } from '../targets/cloudformation/index.js';
import { createCodeDeployEcsStrategy } from '../targets/codedeploy-ecs/index.js';
import { createCodeDeployServerStrategy } from '../targets/codedeploy-server/index.js';
import { createEcsStrategy } from '../targets/ecs/index.js';
import { createTargetRegistry } from '../targets/registry.js';
import { seal } from '../targets/seal.js';
import type { AwsPorts } from './aws.js';

export interface TargetOptions {
  readonly now: () => number;
  /** Aborted when Capstan stops: a wait on AWS (a change set being computed) ends at once. */
  readonly signal: AbortSignal;
  /** How often a change set being computed is looked at. */
  readonly changeSetPollMs: number;
}

/** The one place each kind of target gets its strategy, typed by its kind and sealed for everyone else. */
export function createTargets(aws: AwsPorts, o: TargetOptions) {
  const { ecs, registry, stacks, objects, codedeploy } = aws;
  const { now } = o;
  return createTargetRegistry({
    beanstalk: seal(createBeanstalkStrategy({ beanstalk: aws.beanstalk, objects, registry, now })),
    'codedeploy-server': seal(createCodeDeployServerStrategy({ codedeploy, objects, now })),
    'codedeploy-ecs': seal(createCodeDeployEcsStrategy({ codedeploy, registry, ecs, now })),
    ecs: seal(createEcsStrategy({ ecs, registry, now, serviceDeployments: aws.serviceDeployments })),
    cloudformation: seal(
      createStackStrategy({
        stacks,
        registry,
        now,
        changeSetPollMs: o.changeSetPollMs,
        changeSetTimeoutMs: 10 * 60_000,
        signal: o.signal,
        alarms: aws.alarms,
      }),
    ),
  });
}

export type Targets = ReturnType<typeof createTargets>;
