import type { Alarms } from '../ports/alarms.js';
import type { Beanstalk } from '../ports/beanstalk.js';
import type { CodeDeploy } from '../ports/codedeploy.js';
import type { Ecs } from '../ports/ecs.js';
import type { EcsServiceDeployments } from '../ports/ecsServiceDeployments.js';
import type { ObjectStore } from '../ports/objects.js';
import type { Pipelines, Subscriptions } from '../ports/pipelines.js';
import type { Registry } from '../ports/registry.js';
import type { Stacks } from '../ports/stacks.js';
import { createAwsIdentity } from '../adapters/aws/identity.js';
import { FairBudget } from '../lib/fairBudget.js';
import { lazy, warm } from '../lib/lazy.js';

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

/**
 * Every AWS port Capstan uses, each over its SDK client. Each adapter, and the SDK client under it,
 * is loaded on the port's first call rather than at start-up: loading them all took about a second
 * of a start, for clients a deployment may never use. Identity loads STS itself when a role is first assumed.
 */
export function createAwsPorts(o: AwsPortsOptions = {}) {
  return {
    ...ecsPorts(stoppedTasksBudget(o)),
    ...releasePorts(),
    ...relayPorts(),
    // An environment's roleArn is assumed for the person behind each call; the adapters' clients follow.
    identity: createAwsIdentity(),
  };
}

/** ECS services, their service deployments, and the ECR images they run. */
function ecsPorts(budget: FairBudget) {
  return {
    ecs: lazy<Ecs>(
      async () =>
        (await import('../adapters/aws/ecs.js')).createEcsAdapter(undefined, { stoppedTasksBudget: budget }),
      {
        describeServices: true,
        clusterStatus: true,
        describeTaskDefinition: true,
        registerTaskDefinition: true,
        updateService: true,
        stoppedTasks: true,
      },
    ),
    serviceDeployments: lazy<EcsServiceDeployments>(
      async () =>
        (await import('../adapters/aws/ecsServiceDeployments.js')).createEcsServiceDeploymentsAdapter(),
      { update: true, list: true, describe: true, decide: true, stop: true },
    ),
    registry: lazy<Registry>(async () => (await import('../adapters/aws/ecr.js')).createEcrAdapter(), {
      findImage: true,
      findDigest: true,
      recentTags: true,
    }),
  };
}

/** The other targets: CloudFormation stacks, Beanstalk environments, CodeDeploy, and the S3 bundles they take. */
function releasePorts() {
  return {
    stacks: lazy<Stacks>(
      async () => (await import('../adapters/aws/cloudformation.js')).createCloudFormationAdapter(),
      {
        describeStack: true,
        events: true,
        createChangeSet: true,
        describeChangeSet: true,
        waitForChangeSet: true,
        executeChangeSet: true,
        deleteChangeSet: true,
      },
    ),
    objects: lazy<ObjectStore>(async () => (await import('../adapters/aws/s3.js')).createS3Adapter(), {
      put: true,
      head: true,
      getText: true,
    }),
    beanstalk: lazy<Beanstalk>(
      async () => (await import('../adapters/aws/beanstalk.js')).createBeanstalkAdapter(),
      {
        describeEnvironments: true,
        describeApplicationVersions: true,
        createApplicationVersion: true,
        updateEnvironment: true,
        describeEvents: true,
      },
    ),
    codedeploy: lazy<CodeDeploy>(
      async () => (await import('../adapters/aws/codedeploy.js')).createCodeDeployAdapter(),
      {
        getDeploymentGroup: true,
        createDeployment: true,
        getDeployment: true,
        listDeployments: true,
        listDeploymentTargets: true,
        batchGetDeploymentTargets: true,
        continueDeployment: true,
        stopDeployment: true,
      },
    ),
  };
}

/** What Capstan relays and watches: pipeline approvals, SNS subscriptions, CloudWatch alarms. */
function relayPorts() {
  return {
    pipelines: lazy<Pipelines>(
      async () => (await import('../adapters/aws/codepipeline.js')).createCodePipelineAdapter(),
      { putApprovalResult: true, approvalState: true },
    ),
    subscriptions: lazy<Subscriptions>(
      async () => (await import('../adapters/aws/sns.js')).createSnsAdapter(),
      {
        confirm: true,
      },
    ),
    alarms: lazy<Alarms>(
      async () => (await import('../adapters/aws/cloudwatch.js')).createCloudWatchAdapter(),
      {
        describe: true,
        enteredAlarm: true,
      },
    ),
  };
}

export type AwsPorts = ReturnType<typeof createAwsPorts>;

/** The ports each kind of target uses (its strategy's and its status read's). */
const PORTS_OF: Readonly<Record<string, readonly (keyof AwsPorts)[]>> = {
  ecs: ['ecs', 'serviceDeployments', 'registry'],
  cloudformation: ['stacks', 'registry'],
  beanstalk: ['beanstalk', 'objects', 'registry'],
  'codedeploy-server': ['codedeploy', 'objects'],
  'codedeploy-ecs': ['codedeploy', 'ecs', 'registry'],
};

/**
 * Loads the ports the catalog's targets use, once Capstan is ready: the first command or look then
 * does not wait for its SDK client, and clients no target uses are never loaded.
 */
export async function warmAwsPorts(aws: AwsPorts, kinds: Iterable<string>): Promise<void> {
  const wanted = new Set([...kinds].flatMap((k) => PORTS_OF[k] ?? []));
  for (const name of wanted) await warm(aws[name]);
}
