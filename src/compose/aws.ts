import { createBeanstalkAdapter } from '../adapters/aws/beanstalk.js';
import { createCloudFormationAdapter } from '../adapters/aws/cloudformation.js';
import { createCloudWatchAdapter } from '../adapters/aws/cloudwatch.js';
import { createCodeDeployAdapter } from '../adapters/aws/codedeploy.js';
import { createCodePipelineAdapter } from '../adapters/aws/codepipeline.js';
import { createEcrAdapter } from '../adapters/aws/ecr.js';
import { createEcsAdapter } from '../adapters/aws/ecs.js';
import { createEcsServiceDeploymentsAdapter } from '../adapters/aws/ecsServiceDeployments.js';
import { createAwsIdentity } from '../adapters/aws/identity.js';
import { createS3Adapter } from '../adapters/aws/s3.js';
import { createSnsAdapter } from '../adapters/aws/sns.js';
import { FairBudget } from '../lib/fairBudget.js';

/**
 * ListTasks/DescribeTasks for stopped tasks, over every rollout of this process: a thousand rollouts
 * short of tasks would otherwise make dozens of calls a second against ECS's API rate. The budget
 * is this many reads per polling interval (2 a second at the default 5 s), and never under 2 a second.
 */
export const STOPPED_TASKS_PER_LOOK = 10;

export interface AwsPortsOptions {
  /** The one clock (rate budgets). */
  readonly now?: (() => number) | undefined;
  /** How often rollouts are looked at (capstan.yml polling.interval). */
  readonly pollIntervalMs?: number | undefined;
}

export function stoppedTasksBudget(o: AwsPortsOptions = {}): FairBudget {
  const perSecond = Math.max(2, (STOPPED_TASKS_PER_LOOK * 1000) / (o.pollIntervalMs ?? 5000));
  return new FairBudget({ perSecond, burst: STOPPED_TASKS_PER_LOOK, reserve: 1, now: o.now ?? Date.now });
}

/** Every AWS port Capstan uses, each over its SDK client. */
export function createAwsPorts(o: AwsPortsOptions = {}) {
  return {
    ecs: createEcsAdapter(undefined, { stoppedTasksBudget: stoppedTasksBudget(o) }),
    serviceDeployments: createEcsServiceDeploymentsAdapter(),
    registry: createEcrAdapter(),
    stacks: createCloudFormationAdapter(),
    objects: createS3Adapter(),
    beanstalk: createBeanstalkAdapter(),
    codedeploy: createCodeDeployAdapter(),
    pipelines: createCodePipelineAdapter(),
    subscriptions: createSnsAdapter(),
    alarms: createCloudWatchAdapter(),
    // An environment's roleArn is assumed for the person behind each call; the adapters' clients follow.
    identity: createAwsIdentity(),
  };
}

export type AwsPorts = ReturnType<typeof createAwsPorts>;
