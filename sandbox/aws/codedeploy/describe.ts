import { createHash } from 'node:crypto';
import { ACCOUNT } from '../ecs.js';
import {
  type Deployment,
  type Group,
  type Revision,
  type Target,
  type TargetStatus,
  epoch,
} from './model.js';

/** The simulated CodeDeploy's answers, shaped as the API's wire format. */

/** GetDeployment never returns AppSpec content, only its hash. */
export function describeRevision(r: Revision): Revision {
  if (!r.appSpecContent) return r;
  const content = r.appSpecContent.content ?? '';
  return {
    revisionType: r.revisionType,
    appSpecContent: { sha256: r.appSpecContent.sha256 ?? createHash('sha256').update(content).digest('hex') },
  };
}

/** Either side of an automatic rollback; `find` looks a deployment up by id. */
function rollbackInfo(d: Deployment, find: (id: string) => Deployment) {
  if (d.rollbackOf)
    return {
      rollbackTriggeringDeploymentId: d.rollbackOf,
      rollbackMessage: `Automatic rollback of deployment ${d.rollbackOf} to the last successful revision.`,
    };
  if (!d.rolledBackBy) return undefined;
  const rb = find(d.rolledBackBy);
  const state =
    rb.status === 'Succeeded' ? 'succeeded' : rb.status === 'Failed' ? 'failed' : 'is in progress';
  return {
    rollbackDeploymentId: rb.id,
    rollbackMessage: `Automatic rollback deployment ${rb.id} ${state}.`,
  };
}

export function describeDeployment(d: Deployment, find: (id: string) => Deployment) {
  const count = (s: TargetStatus) => d.targets.filter((t) => t.status === s).length;
  const g = d.group;
  return {
    applicationName: g.app,
    deploymentGroupName: g.name,
    deploymentConfigName: g.configName,
    deploymentId: d.id,
    previousRevision: describeRevision(d.previousRevision),
    revision: describeRevision(d.revision),
    status: d.status,
    errorInformation: d.error,
    createTime: epoch(d.created),
    startTime: epoch(d.started),
    completeTime: epoch(d.completed),
    deploymentOverview: {
      Pending: count('Pending'),
      InProgress: count('InProgress'),
      Succeeded: count('Succeeded'),
      Failed: count('Failed'),
      Skipped: count('Skipped'),
      Ready: count('Ready'),
    },
    description: d.description,
    creator: d.creator,
    ignoreApplicationStopFailures: false,
    autoRollbackConfiguration: d.autoRollback,
    updateOutdatedInstancesOnly: false,
    rollbackInfo: rollbackInfo(d, find),
    deploymentStyle: g.style,
    instanceTerminationWaitTimeStarted: false,
    blueGreenDeploymentConfiguration: g.extra.blueGreenDeploymentConfiguration,
    loadBalancerInfo: g.extra.loadBalancerInfo,
    fileExistsBehavior: g.platform === 'Server' ? 'DISALLOW' : undefined,
    deploymentStatusMessages: [],
    computePlatform: g.platform,
  };
}

export function describeTarget(d: Deployment, t: Target) {
  const common = {
    deploymentId: d.id,
    targetId: t.id,
    targetArn: t.arn,
    status: t.status,
    lastUpdatedAt: epoch(t.updated),
    lifecycleEvents: t.events.map((e) => ({
      lifecycleEventName: e.name,
      status: e.status,
      startTime: epoch(e.start),
      endTime: epoch(e.end),
      diagnostics: e.diagnostics,
    })),
  };
  if (d.group.platform === 'Server')
    return { deploymentTargetType: 'InstanceTarget', instanceTarget: common };
  const taskSet = (label: 'BLUE' | 'GREEN', live: boolean) => ({
    identifer: `ecs-svc/${label === 'BLUE' ? '1' : '2'}${d.id.slice(2)}`,
    desiredCount: 2,
    pendingCount: 0,
    runningCount: label === 'BLUE' || t.step > 0 ? 2 : 0,
    status: live ? 'PRIMARY' : 'ACTIVE',
    trafficWeight: live ? 100 : 0,
    targetGroup: { name: `todobackend-${label.toLowerCase()}` },
    taskSetLabel: label,
  });
  return {
    deploymentTargetType: 'ECSTarget',
    ecsTarget: {
      ...common,
      taskSetsInfo: [taskSet('BLUE', !d.trafficShifted), taskSet('GREEN', d.trafficShifted)],
    },
  };
}

/** GetDeploymentGroup's deploymentGroupInfo; `mine` are the group's deployments, oldest first. */
export function describeGroup(g: Group, mine: readonly Deployment[]) {
  const last = (d: Deployment | undefined) =>
    d && {
      deploymentId: d.id,
      status: d.status,
      endTime: epoch(d.completed),
      createTime: epoch(d.created),
    };
  return {
    applicationName: g.app,
    deploymentGroupId: g.id,
    deploymentGroupName: g.name,
    deploymentConfigName: g.configName,
    serviceRoleArn: `arn:aws:iam::${ACCOUNT}:role/codedeploy-service`,
    targetRevision: describeRevision(g.target),
    alarmConfiguration: { enabled: false, ignorePollAlarmFailure: false, alarms: [] },
    autoRollbackConfiguration: g.autoRollback,
    deploymentStyle: g.style,
    outdatedInstancesStrategy: 'UPDATE',
    lastSuccessfulDeployment: last(mine.findLast((d) => d.status === 'Succeeded')),
    lastAttemptedDeployment: last(mine.at(-1)),
    computePlatform: g.platform,
    terminationHookEnabled: false,
    ...g.extra,
  };
}
