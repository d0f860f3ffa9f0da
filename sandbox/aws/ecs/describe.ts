import { AwsError } from '../errors.js';
import { ACCOUNT, REGION, type SimService, type SimTask } from './model.js';

/** The simulated ECS's answers to its Describe calls, shaped as the API's wire format. */

type Services = ReadonlyMap<string, SimService>;

export function describeClusters(services: Services, input: { clusters: string[] }) {
  const known = new Set([...services.values()].map((s) => s.cluster));
  return {
    clusters: input.clusters
      .filter((c) => known.has(c))
      .map((c) => ({
        clusterName: c,
        clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${c}`,
        status: 'ACTIVE',
      })),
    failures: input.clusters.filter((c) => !known.has(c)).map((c) => ({ arn: c, reason: 'MISSING' })),
  };
}

function describeService(s: SimService) {
  const running = s.deployments.reduce((n, d) => n + d.runningCount, 0);
  const pending = s.deployments.reduce((n, d) => n + d.pendingCount, 0);
  return {
    serviceName: s.name,
    serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${s.cluster}/${s.name}`,
    clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${s.cluster}`,
    status: 'ACTIVE',
    desiredCount: s.desiredCount,
    runningCount: running,
    pendingCount: pending,
    launchType: 'FARGATE',
    taskDefinition: s.taskDefinition,
    deploymentController: { type: s.controller },
    deploymentConfiguration: {
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      ...(s.strategy ? { strategy: s.strategy, bakeTimeInMinutes: 1 } : {}),
    },
    deployments: s.deployments.map((d) => ({
      ...d,
      createdAt: d.createdAt.getTime() / 1000,
      updatedAt: d.updatedAt.getTime() / 1000,
      launchType: 'FARGATE',
    })),
    events: s.events.map((e) => ({ ...e, createdAt: e.createdAt.getTime() / 1000 })),
  };
}

/** Services of one cluster, at most 10 a call; those missing are failures. */
export function describeServices(services: Services, input: { cluster: string; services: string[] }) {
  if (input.services.length > 10)
    throw new AwsError('InvalidParameterException', 'services can have at most 10 items.');
  const found = input.services
    .map((n) => services.get(n))
    .filter((s): s is SimService => s !== undefined && s.cluster === input.cluster);
  return {
    services: found.map(describeService),
    failures: input.services
      .filter((n) => !found.some((s) => s.name === n))
      .map((n) => ({
        arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${input.cluster}/${n}`,
        reason: 'MISSING',
      })),
  };
}

export function listTasks(
  tasks: readonly SimTask[],
  input: { cluster: string; serviceName?: string; desiredStatus?: string },
) {
  return {
    taskArns: tasks
      .filter(
        (t) =>
          t.group === `service:${input.serviceName}` &&
          (!input.desiredStatus || t.desiredStatus === input.desiredStatus),
      )
      .slice(-100)
      .map((t) => t.taskArn),
  };
}

export function describeTasks(tasks: readonly SimTask[], input: { tasks: string[] }) {
  return {
    tasks: tasks
      .filter((t) => input.tasks.includes(t.taskArn))
      .map((t) => ({ ...t, stoppedAt: t.stoppedAt ? t.stoppedAt.getTime() / 1000 : undefined })),
    failures: [],
  };
}
