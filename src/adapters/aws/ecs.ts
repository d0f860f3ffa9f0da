import {
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  type RegisterTaskDefinitionCommandInput,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import type { TaskDefinition, TaskDefinitionDocument } from '../../domain/taskDefinition.js';
import type { Ecs } from '../../ports/ecs.js';
import { perRegion } from './clients.js';
import type { FairBudget } from '../../lib/fairBudget.js';
import { keepNewestServiceEvents } from './ecsEvents.js';
import { describeServices } from './ecsServices.js';
import { stoppedTasks } from './ecsTasks.js';
import { call } from './errors.js';

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
  return { ...ecsReads(client, o), ...ecsChanges(client) };
}

type Client = (region: string) => ECSClient;

function ecsReads(
  client: Client,
  o: EcsAdapterOptions,
): Pick<Ecs, 'describeServices' | 'clusterStatus' | 'describeTaskDefinition' | 'stoppedTasks'> {
  return {
    describeServices: (loc, services, options) => describeServices(client, loc, services, options),

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

    stoppedTasks: (loc, service, taskDefinitionArn, options) =>
      stoppedTasks(client, o.stoppedTasksBudget, loc, service, taskDefinitionArn, options),
  };
}

/** A task definition registered, and a service moved onto it. */
function ecsChanges(client: Client): Pick<Ecs, 'registerTaskDefinition' | 'updateService'> {
  return {
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
  };
}
