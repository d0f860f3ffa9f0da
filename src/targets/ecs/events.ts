import type { AwsEvent } from '../strategy.js';
import { clusterGroup } from './service.js';

/**
 * The cluster an ECS event is about, for the events that can change a rollout's outcome: deployment
 * state changes, tasks that stopped (except old tasks a deployment replaces), service warnings and
 * errors. Task starts are left to the next look: they move progress, never the outcome.
 */
export function ecsEventGroups(e: AwsEvent): readonly string[] {
  if (e.source !== 'aws.ecs') return [];
  const d = e.detail;
  let cluster: string | undefined;
  switch (e.detailType) {
    case 'ECS Deployment State Change':
      cluster = clusterOfServiceArn(e.resources[0]);
      break;
    case 'ECS Task State Change':
      if (d.lastStatus !== 'STOPPED') return [];
      if (typeof d.group === 'string' && !d.group.startsWith('service:')) return [];
      if (typeof d.stoppedReason === 'string' && d.stoppedReason.startsWith('Scaling activity initiated by'))
        return [];
      cluster = arnPath(d.clusterArn)?.[1];
      break;
    case 'ECS Hook State Change':
      // A pause hook waits (or ended): the next look reads lifecycleHookDetails.
      cluster = arnPath(d.clusterArn)?.[1] ?? arnPath(d.serviceDeploymentArn)?.[1];
      break;
    case 'ECS Service Action':
      if (d.eventType !== 'WARN' && d.eventType !== 'ERROR') return [];
      cluster = arnPath(d.clusterArn)?.[1] ?? clusterOfServiceArn(e.resources[0]);
      break;
    default:
      return [];
  }
  if (!cluster) return [];
  // capstan.yml may name the cluster or give its ARN.
  const named = typeof e.resources[0] === 'string' ? e.resources[0] : d.clusterArn;
  const arn = typeof named === 'string' ? named.split(':') : [];
  const clusterArn = arn.length >= 6 ? `${arn.slice(0, 5).join(':')}:cluster/${cluster}` : undefined;
  const { region } = e;
  return [
    clusterGroup({ region, cluster }),
    ...(clusterArn ? [clusterGroup({ region, cluster: clusterArn })] : []),
  ];
}

/** `arn:aws:ecs:r:a:service/<cluster>/<service>`; services made before long ARNs omit the cluster. */
function clusterOfServiceArn(arn: unknown): string | undefined {
  const path = arnPath(arn);
  return path?.[0] === 'service' && path.length === 3 ? path[1] : undefined;
}

/** The resource part of an ARN, split at "/": `cluster/name` → ["cluster", "name"]. */
function arnPath(arn: unknown): string[] | undefined {
  if (typeof arn !== 'string' || !arn.startsWith('arn:')) return undefined;
  const resource = arn.split(':').slice(5).join(':');
  return resource ? resource.split('/') : undefined;
}
