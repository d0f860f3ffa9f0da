import {
  BatchGetDeploymentTargetsCommand,
  CodeDeployClient,
  ContinueDeploymentCommand,
  CreateDeploymentCommand,
  GetDeploymentCommand,
  GetDeploymentGroupCommand,
  ListDeploymentTargetsCommand,
  paginateListDeployments,
  StopDeploymentCommand,
  type AutoRollbackConfiguration,
  type DeploymentReadyOption,
  type DeploymentStatus,
  type DeploymentTarget as SdkTarget,
  type LastDeploymentInfo,
  type LifecycleEvent as SdkLifecycleEvent,
  type RevisionLocation as SdkRevision,
} from '@aws-sdk/client-codedeploy';
import { CapstanError } from '../../domain/errors.js';
import type {
  AutoRollback,
  CodeDeploy,
  DeploymentBrief,
  DeploymentGroupRef,
  DeploymentTarget,
  LifecycleEvent,
  ReadyOption,
  RevisionLocation,
} from '../../ports/codedeploy.js';
import { perRegion } from './clients.js';
import { call, toCapstanError } from './errors.js';

const ms = (d: Date | undefined) => (d ? d.getTime() : undefined);
const nameOf = (e: unknown) => (e instanceof Error ? e.name : '');

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

function toTarget(t: SdkTarget): DeploymentTarget | undefined {
  const target = t.instanceTarget ?? t.ecsTarget ?? t.lambdaTarget ?? t.cloudFormationTarget;
  if (!target?.targetId) return undefined;
  return {
    id: target.targetId,
    status: target.status ?? '',
    lifecycleEvents: (target.lifecycleEvents ?? []).map(toLifecycleEvent),
  };
}

export function createCodeDeployAdapter(
  client: (region: string) => CodeDeployClient = perRegion(
    (region, credentials) => new CodeDeployClient({ region, credentials }),
  ),
  /**
   * For CreateDeployment, which takes no idempotency token: the SDK's own retry of a request whose
   * answer was lost could start a second deployment, so it tries once and Capstan reads CodeDeploy
   * for its deployment before it asks again (targets/codedeploy-shared/create.ts).
   */
  once: (region: string) => CodeDeployClient = perRegion(
    (region, credentials) => new CodeDeployClient({ region, credentials, maxAttempts: 1 }),
  ),
): CodeDeploy {
  const groupOp = (ref: DeploymentGroupRef, action: string) => ({
    action,
    resource: `CodeDeploy deployment group ${ref.group} of application ${ref.application}`,
    region: ref.region,
  });
  const deploymentOp = (region: string, id: string, action: string) => ({
    action,
    resource: `CodeDeploy deployment ${id}`,
    region,
  });

  return {
    async getDeploymentGroup(ref) {
      const op = groupOp(ref, 'codedeploy:GetDeploymentGroup');
      let info;
      try {
        const out = await client(ref.region).send(
          new GetDeploymentGroupCommand({ applicationName: ref.application, deploymentGroupName: ref.group }),
        );
        info = out.deploymentGroupInfo;
      } catch (e) {
        const name = nameOf(e);
        if (name === 'DeploymentGroupDoesNotExistException' || name === 'ApplicationDoesNotExistException')
          return undefined;
        throw toCapstanError(e, op);
      }
      if (!info) return undefined;
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
    },

    async createDeployment(ref, revision, description) {
      const op = groupOp(ref, 'codedeploy:CreateDeployment');
      const location =
        revision.kind === 's3'
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
      try {
        const out = await once(ref.region).send(
          new CreateDeploymentCommand({
            applicationName: ref.application,
            deploymentGroupName: ref.group,
            revision: location,
            description,
          }),
        );
        if (!out.deploymentId) throw new Error('CreateDeployment returned no deployment id');
        return out.deploymentId;
      } catch (e) {
        // Which error a second concurrent deployment raises is not documented; both look like this.
        if (
          nameOf(e) === 'DeploymentLimitExceededException' ||
          (e instanceof Error && /already (has an? )?(active|in.progress)|in progress/i.test(e.message))
        ) {
          throw new CapstanError(
            'conflict',
            {
              kind: 'codedeploy.concurrentRefused',
              group: ref.group,
              application: ref.application,
              region: ref.region,
            },
            { cause: e },
          );
        }
        throw toCapstanError(e, op);
      }
    },

    async getDeployment(region, deploymentId) {
      const op = deploymentOp(region, deploymentId, 'codedeploy:GetDeployment');
      let d;
      try {
        d = (await client(region).send(new GetDeploymentCommand({ deploymentId }))).deploymentInfo;
      } catch (e) {
        const name = nameOf(e);
        if (name === 'DeploymentDoesNotExistException' || name === 'InvalidDeploymentIdException')
          return undefined;
        throw toCapstanError(e, op);
      }
      if (!d) return undefined;
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
    },

    async listDeployments(ref, statuses, options = {}) {
      const op = groupOp(ref, 'codedeploy:ListDeployments');
      const limit = options.limit ?? 100;
      const ids: string[] = [];
      await call(op, async () => {
        const pages = paginateListDeployments(
          { client: client(ref.region) },
          {
            applicationName: ref.application,
            deploymentGroupName: ref.group,
            includeOnlyStatuses: statuses.length > 0 ? ([...statuses] as DeploymentStatus[]) : undefined,
            createTimeRange:
              options.createdAfter === undefined ? undefined : { start: new Date(options.createdAfter) },
          },
        );
        for await (const page of pages) {
          ids.push(...(page.deployments ?? []));
          if (ids.length >= limit) break;
        }
      });
      return ids.slice(0, limit);
    },

    async listDeploymentTargets(region, deploymentId, statuses) {
      const op = deploymentOp(region, deploymentId, 'codedeploy:ListDeploymentTargets');
      try {
        const out = await client(region).send(
          new ListDeploymentTargetsCommand({
            deploymentId,
            targetFilters: statuses ? { TargetStatus: [...statuses] } : undefined,
          }),
        );
        return out.targetIds ?? [];
      } catch (e) {
        if (nameOf(e) === 'DeploymentNotStartedException') return [];
        throw toCapstanError(e, op);
      }
    },

    async batchGetDeploymentTargets(region, deploymentId, targetIds) {
      if (targetIds.length === 0) return [];
      const op = deploymentOp(region, deploymentId, 'codedeploy:BatchGetDeploymentTargets');
      try {
        const out = await client(region).send(
          new BatchGetDeploymentTargetsCommand({ deploymentId, targetIds: targetIds.slice(0, 25) }),
        );
        return (out.deploymentTargets ?? []).flatMap((t) => toTarget(t) ?? []);
      } catch (e) {
        if (nameOf(e) === 'DeploymentNotStartedException') return [];
        throw toCapstanError(e, op);
      }
    },

    async continueDeployment(region, deploymentId, wait) {
      const op = deploymentOp(region, deploymentId, 'codedeploy:ContinueDeployment');
      try {
        await client(region).send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType: wait }));
      } catch (e) {
        const name = nameOf(e);
        if (
          name === 'DeploymentIsNotInReadyStateException' ||
          name === 'DeploymentAlreadyCompletedException'
        ) {
          throw new CapstanError(
            'invalid_state',
            { kind: 'codedeploy.notWaiting', deploymentId, region },
            { cause: e },
          );
        }
        throw toCapstanError(e, op);
      }
    },

    async stopDeployment(region, deploymentId, autoRollback) {
      const op = deploymentOp(region, deploymentId, 'codedeploy:StopDeployment');
      try {
        await client(region).send(
          new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: autoRollback }),
        );
      } catch (e) {
        if (nameOf(e) === 'DeploymentAlreadyCompletedException') {
          throw new CapstanError(
            'invalid_state',
            { kind: 'codedeploy.notWaiting', deploymentId, region },
            { cause: e },
          );
        }
        throw toCapstanError(e, op);
      }
    },
  };
}
