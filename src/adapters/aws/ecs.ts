import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type RegisterTaskDefinitionCommandInput,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type Deployment as SdkDeployment,
  DeploymentRolloutState,
} from '@aws-sdk/client-ecs';
import type { TaskDefinition, TaskDefinitionDocument } from '../../domain/taskDefinition.js';
import type { Ecs, EcsDeployment, EcsService, ServiceLocation, StoppedTask } from '../../ports/ecs.js';
import { perRegion } from './clients.js';
import type { FairBudget } from '../../lib/fairBudget.js';
import { eventsWanted, keepNewestServiceEvents } from './ecsEvents.js';
import { call } from './errors.js';

const ms = (d: Date | undefined) => (d instanceof Date ? d.getTime() : undefined);
const ROLLOUT_STATES = new Set<string>(Object.values(DeploymentRolloutState));

/** An answer Capstan cannot judge by: the look fails (and counts against the deadline) instead of guessing. */
function unreadable(what: string): Error {
  return new Error(`ecs:DescribeServices answered ${what}, which Capstan cannot judge a rollout by`);
}

/** A count as ECS gives it; absent is none, anything else is an answer that cannot be read. */
function count(n: unknown, what: string): number {
  if (n === undefined || n === null) return 0;
  if (typeof n === 'number' && Number.isFinite(n)) return n;
  throw unreadable(`${what} ${JSON.stringify(n)}`);
}

function toDeployment(d: SdkDeployment): EcsDeployment {
  if (d.rolloutState !== undefined && !ROLLOUT_STATES.has(d.rolloutState))
    throw unreadable(`rolloutState ${JSON.stringify(d.rolloutState)}`);
  return {
    id: d.id ?? '',
    status: d.status ?? '',
    taskDefinition: d.taskDefinition ?? '',
    desiredCount: count(d.desiredCount, 'desiredCount'),
    runningCount: count(d.runningCount, 'runningCount'),
    pendingCount: count(d.pendingCount, 'pendingCount'),
    failedTasks: count(d.failedTasks, 'failedTasks'),
    rolloutState: d.rolloutState,
    rolloutStateReason: d.rolloutStateReason,
    createdAt: ms(d.createdAt),
    updatedAt: ms(d.updatedAt),
  };
}

export interface EcsAdapterOptions {
  /** Shared by every stopped-task read (ListTasks, then DescribeTasks); none: unlimited. */
  readonly stoppedTasksBudget?: FairBudget | undefined;
}

export function createEcsAdapter(
  // The middleware stack is resolved once per command type (it never changes after this), not on every
  // call: a thousand rollouts make a hundred DescribeServices calls every polling interval.
  client: (region: string) => ECSClient = perRegion((region, credentials) =>
    keepNewestServiceEvents(new ECSClient({ region, credentials, cacheMiddleware: true })),
  ),
  o: EcsAdapterOptions = {},
): Ecs {
  return {
    async describeServices(loc, services, options) {
      const input = { cluster: loc.cluster, services: [...services] };
      if (options?.events) eventsWanted(input, options.events);
      const out = await call(
        {
          action: 'ecs:DescribeServices',
          resource: `services ${services.join(', ')} in ECS cluster ${loc.cluster}`,
          region: loc.region,
        },
        () =>
          client(loc.region).send(new DescribeServicesCommand(input)),
      );
      const found: EcsService[] = (Array.isArray(out.services) ? out.services : []).map((s) => ({
        name: s.serviceName ?? '',
        status: typeof s.status === 'string' ? s.status : '',
        desiredCount: count(s.desiredCount, 'desiredCount'),
        runningCount: count(s.runningCount, 'runningCount'),
        pendingCount: count(s.pendingCount, 'pendingCount'),
        taskDefinition: s.taskDefinition ?? '',
        deployments: (Array.isArray(s.deployments) ? s.deployments : []).map(toDeployment),
        circuitBreaker: {
          enable: s.deploymentConfiguration?.deploymentCircuitBreaker?.enable ?? false,
          rollback: s.deploymentConfiguration?.deploymentCircuitBreaker?.rollback ?? false,
        },
        strategy: s.deploymentConfiguration?.strategy,
        alarms: s.deploymentConfiguration?.alarms && {
          enable: s.deploymentConfiguration.alarms.enable === true,
          rollback: s.deploymentConfiguration.alarms.rollback === true,
          names: s.deploymentConfiguration.alarms.alarmNames ?? [],
        },
        events: (Array.isArray(s.events) ? s.events : []).map((e) => ({
          id: typeof e.id === 'string' ? e.id : '',
          at: ms(e.createdAt) ?? 0,
          message: typeof e.message === 'string' ? e.message : '',
        })),
      }));
      const failures = Array.isArray(out.failures) ? out.failures : [];
      const nameOf = (arn: string | undefined) =>
        services.find((s) => arn === s || arn?.endsWith(`/${s}`)) ?? arn ?? '';
      const missing = failures.filter((f) => f.reason === 'MISSING').map((f) => nameOf(f.arn));
      const failed: { name: string; reason?: string }[] = failures
        .filter((f) => f.reason !== 'MISSING')
        .map((f) => ({
          name: nameOf(f.arn),
          reason: `${f.reason ?? 'unknown'}${f.detail ? ` (${f.detail})` : ''}`,
        }));
      // A service is gone only when ECS says MISSING: one the answer names nowhere (or without its
      // status) cannot be judged, and that is its own read error, not its neighbours'.
      const answered = new Set([...found.map((s) => s.name), ...failures.map((f) => nameOf(f.arn))]);
      for (const name of services) {
        if (!answered.has(name) || found.some((f) => f.name === name && f.status === ''))
          failed.push({ name });
      }
      return { services: found.filter((f) => !failed.some((x) => x.name === f.name)), missing, failed };
    },

    async clusterStatus(loc) {
      const out = await call(
        { action: 'ecs:DescribeClusters', resource: `ECS cluster ${loc.cluster}`, region: loc.region },
        () => client(loc.region).send(new DescribeClustersCommand({ clusters: [loc.cluster] })),
      );
      return out.clusters?.[0]?.status;
    },

    async describeTaskDefinition(region, taskDefinition) {
      const out = await call(
        { action: 'ecs:DescribeTaskDefinition', resource: `task definition ${taskDefinition}`, region },
        () => client(region).send(new DescribeTaskDefinitionCommand({ taskDefinition, include: ['TAGS'] })),
      );
      return {
        taskDefinition: (out.taskDefinition ?? {}) as TaskDefinition,
        tags: (out.tags ?? []).map((t) => ({ key: t.key ?? '', value: t.value ?? '' })),
      };
    },

    async registerTaskDefinition(region, doc: TaskDefinitionDocument) {
      const family = doc.taskDefinition.family ?? '?';
      const input = { ...doc.taskDefinition, tags: doc.tags.map((t) => ({ key: t.key, value: t.value })) };
      const out = await call(
        { action: 'ecs:RegisterTaskDefinition', resource: `task definition family ${family}`, region },
        () =>
          client(region).send(
            new RegisterTaskDefinitionCommand(input as unknown as RegisterTaskDefinitionCommandInput),
          ),
      );
      const arn = out.taskDefinition?.taskDefinitionArn;
      if (!arn) throw new Error(`RegisterTaskDefinition for ${family} returned no ARN`);
      return arn;
    },

    async updateService(loc, service, taskDefinitionArn) {
      const out = await call(
        {
          action: 'ecs:UpdateService',
          resource: `ECS service ${service} in cluster ${loc.cluster}`,
          region: loc.region,
        },
        () =>
          client(loc.region).send(
            new UpdateServiceCommand({ cluster: loc.cluster, service, taskDefinition: taskDefinitionArn }),
          ),
      );
      const primary = out.service?.deployments?.find(
        (d) => d.status === 'PRIMARY' && d.taskDefinition === taskDefinitionArn,
      );
      if (!primary?.id)
        throw new Error(`UpdateService on ${service} returned no deployment for ${taskDefinitionArn}`);
      return primary.id;
    },

    async stoppedTasks(loc: ServiceLocation, service, taskDefinitionArn, options) {
      const key = `${loc.region}/${loc.cluster}/${service}`;
      if (o.stoppedTasksBudget && !o.stoppedTasksBudget.take(key, options?.urgent)) return [];
      const op = { action: 'ecs:ListTasks', resource: `tasks of ECS service ${service}`, region: loc.region };
      const list = await call(op, () =>
        client(loc.region).send(
          new ListTasksCommand({
            cluster: loc.cluster,
            serviceName: service,
            desiredStatus: 'STOPPED',
            maxResults: 100,
          }),
        ),
      );
      const arns = list.taskArns ?? [];
      if (arns.length === 0) return [];
      const out = await call({ ...op, action: 'ecs:DescribeTasks' }, () =>
        client(loc.region).send(
          new DescribeTasksCommand({ cluster: loc.cluster, tasks: arns.slice(0, 100) }),
        ),
      );
      return (out.tasks ?? [])
        .filter((t) => t.taskDefinitionArn === taskDefinitionArn)
        .map((t): StoppedTask => ({
          arn: t.taskArn ?? '',
          taskDefinitionArn: t.taskDefinitionArn ?? '',
          stoppedReason: t.stoppedReason,
          stoppedAt: ms(t.stoppedAt),
          containers: (t.containers ?? []).map((c) => ({
            name: c.name ?? '',
            reason: c.reason,
            exitCode: c.exitCode,
          })),
        }));
    },
  };
}
