import type {
  AutoRollbackConfiguration,
  DeploymentGroupInfo,
  DeploymentInfo,
  DeploymentReadyOption,
  LastDeploymentInfo,
  DeploymentTarget as SdkTarget,
  LifecycleEvent as SdkLifecycleEvent,
  RevisionLocation as SdkRevision,
} from '@aws-sdk/client-codedeploy';
import type {
  AutoRollback,
  DeploymentBrief,
  DeploymentGroup,
  DeploymentGroupRef,
  DeploymentTarget,
  CodeDeployDeployment,
  LifecycleEvent,
  NewRevision,
  ReadyOption,
  RevisionLocation,
} from '../../../ports/codedeploy.js';

/** CodeDeploy's answers in the port's shapes, and the port's revision in CodeDeploy's. Pure. */

const ms = (d: Date | undefined) => (d ? d.getTime() : undefined);
export const nameOf = (e: unknown) => (e instanceof Error ? e.name : '');

/** What a failed call names: the action, the group or deployment, the region. */
export const groupOp = (ref: DeploymentGroupRef, action: string) => ({
  action,
  resource: `CodeDeploy deployment group ${ref.group} of application ${ref.application}`,
  region: ref.region,
});
export const deploymentOp = (region: string, id: string, action: string) => ({
  action,
  resource: `CodeDeploy deployment ${id}`,
  region,
});

function toRevision(r: SdkRevision | undefined): RevisionLocation | undefined {
  if (!r) return undefined;
  if (r.revisionType === 'S3' || (!r.revisionType && r.s3Location)) {
    return {
      kind: 's3',
      bucket: r.s3Location?.bucket ?? '',
      key: r.s3Location?.key ?? '',
      bundleType: r.s3Location?.bundleType,
      eTag: r.s3Location?.eTag,
    };
  }
  if (r.revisionType === 'AppSpecContent') return { kind: 'appspec', content: r.appSpecContent?.content };
  if (r.revisionType === 'String') return { kind: 'appspec', content: r.string?.content };
  return { kind: 'other', type: r.revisionType ?? 'unknown' };
}

/** The revision CreateDeployment is given. */
export function toSdkRevision(revision: NewRevision): SdkRevision {
  return revision.kind === 's3'
    ? {
        revisionType: 'S3' as const,
        s3Location: {
          bucket: revision.bucket,
          key: revision.key,
          bundleType: revision.bundleType as 'zip',
          eTag: revision.eTag,
        },
      }
    : { revisionType: 'AppSpecContent' as const, appSpecContent: { content: revision.content } };
}

function toAutoRollback(c: AutoRollbackConfiguration | undefined): AutoRollback {
  return { enabled: c?.enabled === true, events: c?.events ?? [] };
}

function toReadyOption(o: DeploymentReadyOption | undefined): ReadyOption | undefined {
  return o ? { actionOnTimeout: o.actionOnTimeout, waitMinutes: o.waitTimeInMinutes } : undefined;
}

function toBrief(d: LastDeploymentInfo | undefined): DeploymentBrief | undefined {
  if (!d?.deploymentId) return undefined;
  return { id: d.deploymentId, status: d.status ?? '', createdAt: ms(d.createTime), endedAt: ms(d.endTime) };
}

function toLifecycleEvent(e: SdkLifecycleEvent): LifecycleEvent {
  return {
    name: e.lifecycleEventName ?? '?',
    status: e.status ?? '',
    diagnostics: e.diagnostics && {
      errorCode: e.diagnostics.errorCode,
      scriptName: e.diagnostics.scriptName,
      message: e.diagnostics.message,
      logTail: e.diagnostics.logTail,
    },
  };
}

export function toTarget(t: SdkTarget): DeploymentTarget | undefined {
  const target = t.instanceTarget ?? t.ecsTarget ?? t.lambdaTarget ?? t.cloudFormationTarget;
  if (!target?.targetId) return undefined;
  return {
    id: target.targetId,
    status: target.status ?? '',
    lifecycleEvents: (target.lifecycleEvents ?? []).map(toLifecycleEvent),
  };
}

export function toDeploymentGroup(info: DeploymentGroupInfo, ref: DeploymentGroupRef): DeploymentGroup {
  return {
    application: info.applicationName ?? ref.application,
    name: info.deploymentGroupName ?? ref.group,
    computePlatform: info.computePlatform ?? 'Server',
    deploymentStyle: {
      type: info.deploymentStyle?.deploymentType,
      option: info.deploymentStyle?.deploymentOption,
    },
    deploymentConfig: info.deploymentConfigName,
    autoRollback: toAutoRollback(info.autoRollbackConfiguration),
    alarms: info.alarmConfiguration && {
      enabled: info.alarmConfiguration.enabled === true,
      names: (info.alarmConfiguration.alarms ?? []).flatMap((a) => a.name ?? []),
      ignorePollFailure: info.alarmConfiguration.ignorePollAlarmFailure === true,
    },
    targetRevision: toRevision(info.targetRevision),
    readyOption: toReadyOption(info.blueGreenDeploymentConfiguration?.deploymentReadyOption),
    ecsServices: (info.ecsServices ?? []).map((s) => ({
      cluster: s.clusterName ?? '',
      service: s.serviceName ?? '',
    })),
    lastAttempted: toBrief(info.lastAttemptedDeployment),
    lastSuccessful: toBrief(info.lastSuccessfulDeployment),
  };
}

export function toDeployment(d: DeploymentInfo, deploymentId: string): CodeDeployDeployment {
  const o = d.deploymentOverview;
  return {
    id: d.deploymentId ?? deploymentId,
    application: d.applicationName ?? '',
    group: d.deploymentGroupName ?? '',
    status: d.status ?? '',
    error: d.errorInformation && { code: d.errorInformation.code, message: d.errorInformation.message },
    overview: {
      pending: o?.Pending ?? 0,
      inProgress: o?.InProgress ?? 0,
      succeeded: o?.Succeeded ?? 0,
      failed: o?.Failed ?? 0,
      skipped: o?.Skipped ?? 0,
      ready: o?.Ready ?? 0,
    },
    creator: d.creator,
    description: d.description,
    revision: toRevision(d.revision),
    rollback: d.rollbackInfo && {
      deploymentId: d.rollbackInfo.rollbackDeploymentId,
      triggeringDeploymentId: d.rollbackInfo.rollbackTriggeringDeploymentId,
      message: d.rollbackInfo.rollbackMessage,
    },
    autoRollback: d.autoRollbackConfiguration && toAutoRollback(d.autoRollbackConfiguration),
    terminationWaitStarted: d.instanceTerminationWaitTimeStarted === true,
    readyOption: toReadyOption(d.blueGreenDeploymentConfiguration?.deploymentReadyOption),
    statusMessages: d.deploymentStatusMessages ?? [],
    createdAt: ms(d.createTime),
    completedAt: ms(d.completeTime),
  };
}
