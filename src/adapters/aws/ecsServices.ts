import {
  DescribeServicesCommand,
  type DescribeServicesCommandOutput,
  type ECSClient,
  type Deployment as SdkDeployment,
  DeploymentRolloutState,
  type Service as SdkService,
} from '@aws-sdk/client-ecs';
import type { Ecs, EcsDeployment, EcsService, ServiceLocation } from '../../ports/ecs.js';
import { eventsWanted } from './ecsEvents.js';
import { call } from './errors.js';

export const ms = (d: Date | undefined) => (d instanceof Date ? d.getTime() : undefined);
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

function toService(s: SdkService): EcsService {
  return {
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
  };
}

type Described = Awaited<ReturnType<Ecs['describeServices']>>;

/** At most 10 services a call (the API's limit), each found, missing, or failed on its own. */
export async function describeServices(
  client: (region: string) => ECSClient,
  loc: ServiceLocation,
  services: readonly string[],
  options: Parameters<Ecs['describeServices']>[2],
): Promise<Described> {
  const input = { cluster: loc.cluster, services: [...services] };
  if (options?.events) eventsWanted(input, options.events);
  const out = await call(
    {
      action: 'ecs:DescribeServices',
      resource: `services ${services.join(', ')} in ECS cluster ${loc.cluster}`,
      region: loc.region,
    },
    () => client(loc.region).send(new DescribeServicesCommand(input)),
  );
  return sortAnswer(services, out);
}

/**
 * The services asked for, as found, missing or failed. A service is gone only when ECS says MISSING:
 * one the answer names nowhere (or without its status) cannot be judged, and that is its own read
 * error, not its neighbours'.
 */
function sortAnswer(services: readonly string[], out: DescribeServicesCommandOutput): Described {
  const found: EcsService[] = (Array.isArray(out.services) ? out.services : []).map(toService);
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
  const answered = new Set([...found.map((s) => s.name), ...failures.map((f) => nameOf(f.arn))]);
  for (const name of services) {
    if (!answered.has(name) || found.some((f) => f.name === name && f.status === '')) failed.push({ name });
  }
  return { services: found.filter((f) => !failed.some((x) => x.name === f.name)), missing, failed };
}
