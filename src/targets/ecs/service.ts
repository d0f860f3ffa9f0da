import type { EcsTarget } from '../../domain/catalog.js';
import { CapstanError } from '../../domain/errors.js';
import type { Ecs, EcsService } from '../../ports/ecs.js';
import type { EcsServiceDeployments } from '../../ports/ecsServiceDeployments.js';
import type { Registry } from '../../ports/registry.js';
import type { EnvironmentOf } from '../strategy.js';

export interface EcsStrategyDeps {
  readonly ecs: Ecs;
  /** Service deployments of BLUE_GREEN, LINEAR and CANARY services; without it every service is followed as ROLLING. */
  readonly serviceDeployments?: EcsServiceDeployments | undefined;
  readonly registry: Registry;
  readonly now: () => number;
}

/** An environment whose target is an ECS service. */
export type EcsEnvironment = EnvironmentOf<'ecs'>;

/** DescribeServices takes at most 10 services a call. */
export const DESCRIBE_BATCH = 10;

export function describeService(t: EcsTarget): string {
  return `ECS service ${t.service} in cluster ${t.cluster} (${t.region})`;
}

/** Services of one cluster are described together, so they are looked at together. */
export function clusterGroup(t: Pick<EcsTarget, 'region' | 'cluster'>): string {
  return `ecs|${t.region}|${t.cluster}`;
}

export function serviceConsoleUrl(t: EcsTarget): string {
  const host = t.region.startsWith('cn-') ? 'console.amazonaws.cn' : 'console.aws.amazon.com';
  return `https://${host}/ecs/v2/clusters/${encodeURIComponent(t.cluster)}/services/${encodeURIComponent(t.service)}/deployments?region=${t.region}`;
}

export function batchesOf<T>(items: readonly T[], size = DESCRIBE_BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Which service, for facts that name it. */
export function where(t: Pick<EcsTarget, 'service' | 'cluster' | 'region'>) {
  return { service: t.service, cluster: t.cluster, region: t.region };
}

/** The environment's service, refused unless it exists and is ACTIVE. */
export async function readService(ecs: Ecs, t: EcsTarget): Promise<EcsService> {
  const described = await ecs.describeServices(t, [t.service]);
  const service = described.services[0];
  if (!service) throw new CapstanError('not_found', { kind: 'ecs.serviceNotFound', ...where(t) });
  if (service.status !== 'ACTIVE') {
    throw new CapstanError('invalid_state', {
      kind: 'ecs.serviceNotActive',
      ...where(t),
      status: service.status,
    });
  }
  return service;
}
