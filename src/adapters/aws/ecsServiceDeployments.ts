import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type ServiceDeployment as SdkServiceDeployment,
} from '@aws-sdk/client-ecs';
import type { EcsServiceDeployments, ServiceDeployment } from '../../ports/ecsServiceDeployments.js';
import { perRegion } from './clients.js';
import { call } from './errors.js';

const ms = (d: Date | undefined) => (d instanceof Date ? d.getTime() : undefined);
const num = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? n : undefined);

/** DescribeServiceDeployments takes at most 20 ARNs a call. */
const DESCRIBE_BATCH = 20;

function toDeployment(d: SdkServiceDeployment): ServiceDeployment {
  const target = d.targetServiceRevision;
  const config = d.deploymentConfiguration;
  return {
    arn: d.serviceDeploymentArn ?? '',
    status: d.status ?? '',
    statusReason: d.statusReason,
    lifecycleStage: d.lifecycleStage,
    hooks: (d.lifecycleHookDetails ?? []).map((h) => ({
      hookId: h.hookId ?? '',
      targetType: h.targetType,
      status: h.status ?? '',
      expiresAt: ms(h.expiresAt),
      timeoutAction: h.timeoutAction,
    })),
    createdAt: ms(d.createdAt),
    updatedAt: ms(d.updatedAt),
    finishedAt: ms(d.finishedAt),
    targetRevisionArn: target?.arn,
    productionWeight: num(target?.requestedProductionTrafficWeight),
    testWeight: num(target?.requestedTestTrafficWeight),
    running: num(target?.runningTaskCount),
    requested: num(target?.requestedTaskCount),
    strategy: config?.strategy,
    bakeTimeMinutes: num(config?.bakeTimeInMinutes),
    stepBakeTimeMinutes: num(
      config?.linearConfiguration?.stepBakeTimeInMinutes ??
        config?.canaryConfiguration?.canaryBakeTimeInMinutes,
    ),
    rollback: d.rollback ? { reason: d.rollback.reason, startedAt: ms(d.rollback.startedAt) } : undefined,
    triggeredAlarms: d.alarms?.triggeredAlarmNames?.length ? d.alarms.triggeredAlarmNames : undefined,
  };
}

type Client = (region: string) => ECSClient;

const named = (arn: string) => `ECS service deployment ${arn}`;

/** ECS's service deployments over the SDK: the reads and decisions of progressive ECS rollouts. */
export function createEcsServiceDeploymentsAdapter(
  client: Client = perRegion((region, credentials) => new ECSClient({ region, credentials })),
): EcsServiceDeployments {
  return { ...serviceDeploymentReads(client), ...serviceDeploymentChanges(client) };
}

function serviceDeploymentReads(client: Client): Pick<EcsServiceDeployments, 'list' | 'describe'> {
  return {
    async list(loc, service, createdAfter) {
      const op = {
        action: 'ecs:ListServiceDeployments',
        resource: `deployments of ECS service ${service} in cluster ${loc.cluster}`,
        region: loc.region,
      };
      const out = await call(op, () =>
        client(loc.region).send(
          new ListServiceDeploymentsCommand({
            cluster: loc.cluster,
            service,
            createdAt: { after: new Date(createdAfter) },
            maxResults: 20,
          }),
        ),
      );
      return (out.serviceDeployments ?? [])
        .map((b) => ({
          arn: b.serviceDeploymentArn ?? '',
          status: b.status ?? '',
          createdAt: ms(b.createdAt),
          targetRevisionArn: b.targetServiceRevisionArn,
        }))
        .filter((b) => b.arn !== '')
        .sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
    },

    async describe(region, arns) {
      const deployments: ServiceDeployment[] = [];
      const missing: string[] = [];
      for (let i = 0; i < arns.length; i += DESCRIBE_BATCH) {
        const batch = arns.slice(i, i + DESCRIBE_BATCH);
        const op = { action: 'ecs:DescribeServiceDeployments', resource: named(batch.join(', ')), region };
        const out = await call(op, () =>
          client(region).send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [...batch] })),
        );
        deployments.push(...(out.serviceDeployments ?? []).map(toDeployment));
        for (const f of out.failures ?? []) if (f.arn) missing.push(f.arn);
      }
      return { deployments, missing };
    },
  };
}

/** A rollout started, a pause decided, a rollback asked of ECS. */
function serviceDeploymentChanges(client: Client): Pick<EcsServiceDeployments, 'update' | 'decide' | 'stop'> {
  return {
    async update(loc, service, taskDefinition) {
      const op = {
        action: 'ecs:UpdateService',
        resource: `ECS service ${service} in cluster ${loc.cluster}`,
        region: loc.region,
      };
      const out = await call(op, () =>
        client(loc.region).send(new UpdateServiceCommand({ cluster: loc.cluster, service, taskDefinition })),
      );
      return { serviceDeploymentArn: out.service?.currentServiceDeployment };
    },

    async decide(region, arn, hookId, action) {
      const op = { action: 'ecs:ContinueServiceDeployment', resource: named(arn), region };
      await call(op, () =>
        client(region).send(
          new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId, action }),
        ),
      );
    },

    async stop(region, arn) {
      const op = { action: 'ecs:StopServiceDeployment', resource: named(arn), region };
      await call(op, () =>
        client(region).send(
          new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' }),
        ),
      );
    },
  };
}
