import {
  BatchGetDeploymentTargetsCommand,
  CodeDeployClient,
  ContinueDeploymentCommand,
  CreateDeploymentCommand,
  type CreateDeploymentCommandInput,
  type DeploymentGroupInfo,
  type DeploymentInfo,
  type DeploymentStatus,
  type Diagnostics,
  GetDeploymentCommand,
  GetDeploymentGroupCommand,
  ListDeploymentTargetsCommand,
  ListDeploymentsCommand,
  type ListDeploymentsCommandInput,
  type RevisionLocation,
  StopDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { type Clock, systemClock } from '../../src/ports/clock.js';

export const REGION = 'us-east-1';
export const APP = 'todobackend';
export const GROUP = 'todobackend-prod';
export const BUCKET = 'todo-bundles';

const cdStub = () => mockClient(CodeDeployClient);
const s3Stub = () => mockClient(S3Client);

const awsError = (name: string, message: string, status = 400) =>
  Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status } });

/**
 * How a deployment of a revision goes, one step per GetDeployment of it:
 * - success: InProgress, then Succeeded;
 * - fail: InProgress, then Failed on one instance (CodeDeploy rolls back if the group says so);
 * - ready: InProgress, then Ready until ContinueDeployment, then InProgress and Succeeded;
 * - stuck: InProgress for ever;
 * - terminationWait: blue/green, traffic rerouted, then InProgress in the termination wait until stopped.
 */
export type Behaviour = 'success' | 'fail' | 'ready' | 'stuck' | 'terminationWait';

const ACTIVE: readonly string[] = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'];

interface FakeDeployment {
  info: DeploymentInfo;
  behaviour: Behaviour;
  step: number;
  continued: boolean;
  readsSinceFailure: number;
  targets: { id: string; status: string; failed?: { event: string; diagnostics: Diagnostics } }[];
}

/**
 * One CodeDeploy application and deployment group with its S3 bundles, faked at the SDK clients'
 * send(). Deployments move one step each time they are read; a failure rolls back as the group's
 * automatic rollback says, after `rollbackDelay` more reads.
 */
export class FakeCodeDeploy {
  readonly cd: ReturnType<typeof cdStub>;
  readonly s3: ReturnType<typeof s3Stub>;
  /** key → ETag (quoted, as S3 returns it). */
  readonly bundles = new Map<string, string>();
  readonly deployments = new Map<string, FakeDeployment>();
  /** Substring of the revision (S3 key or AppSpec content) → how its deployments go. */
  readonly behaviours: [string, Behaviour][] = [];
  group: DeploymentGroupInfo;
  /** What the failing instance reports. */
  failure = {
    event: 'ApplicationStart',
    target: 'i-0abc1234',
    diagnostics: {
      errorCode: 'ScriptFailed',
      scriptName: 'scripts/start.sh',
      message: 'Script at specified location: scripts/start.sh run as user root failed with exit code 1',
      logTail:
        '[stdout]Starting todobackend\n[stderr]Traceback (most recent call last):\n[stderr]  File "manage.py", line 8\n[stderr]django.db.utils.OperationalError: could not connect to server\n',
    } as Diagnostics,
  };
  /** Reads of a failed deployment before CodeDeploy's rollback of it appears (Infinity: never). */
  rollbackDelay = 0;
  /** Set: CodeDeploy declines to roll back and says why. */
  rollbackRefusal: string | undefined;
  throttle = false;
  /** How CodeDeploy's own rollback deployments go. */
  rollbackBehaviour: Behaviour = 'success';
  /** Called on every GetDeployment before it answers, with the deployment id (to script failures, or hang). */
  beforeGet: ((deploymentId: string) => void | Promise<void>) | undefined;
  /** Called on CreateDeployment before it creates anything: a throw changes nothing, a hang stops before AWS. */
  beforeCreate: (() => void | Promise<void>) | undefined;
  /** Called on CreateDeployment after the deployment exists: a throw is a lost response, a hang a caller that never hears back. */
  afterCreate: (() => void | Promise<void>) | undefined;
  /** Deployments deleted with their group: GetDeployment no longer finds them. */
  readonly deleted = new Set<string>();
  /** More deployment groups of the application (see addGroup), by name. */
  private readonly others = new Map<string, DeploymentGroupInfo>();
  /** Groups deleted (with their deployments): GetDeploymentGroup and GetDeployment no longer find them. */
  readonly deletedGroups = new Set<string>();
  /** AWS's clock: the one Capstan reads in the same test. */
  readonly now = () => this.clock.now();
  private seq = 0;
  private lastStamp = 0;
  /** How far back the history laid down by the constructor is. */
  private backdate = 0;

  constructor(
    platform: 'Server' | 'ECS' = 'Server',
    private readonly clock: Clock = systemClock,
  ) {
    this.cd = cdStub();
    this.s3 = s3Stub();
    for (const v of ['1.2.1', '1.2.2', '1.2.3', '1.2.4-broken'])
      this.bundles.set(`todobackend/${v}.zip`, `"etag-${v}"`);
    this.group = {
      applicationName: APP,
      deploymentGroupName: GROUP,
      computePlatform: platform,
      deploymentConfigName:
        platform === 'ECS' ? 'CodeDeployDefault.ECSAllAtOnce' : 'CodeDeployDefault.OneAtATime',
      deploymentStyle:
        platform === 'ECS'
          ? { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' }
          : { deploymentType: 'IN_PLACE', deploymentOption: 'WITHOUT_TRAFFIC_CONTROL' },
      autoRollbackConfiguration: { enabled: false },
      ...(platform === 'ECS'
        ? {
            ecsServices: [{ clusterName: 'todo-dev', serviceName: 'todobackend-dev' }],
            blueGreenDeploymentConfiguration: {
              deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 60 },
            },
          }
        : {}),
    };
    // What ran before: a deployment of 1.2.2 that succeeded an hour ago.
    this.backdate = 3600_000;
    const first = this.create(
      platform === 'ECS'
        ? { revisionType: 'AppSpecContent', appSpecContent: { content: '{"version":0.0}' } }
        : s3Revision('todobackend/1.2.2.zip', '"etag-1.2.2"'),
      'user',
      'first deploy',
    );
    this.finish(first, 'Succeeded');
    this.backdate = 0;
    this.install();
  }

  restore(): void {
    this.cd.restore();
    this.s3.restore();
  }

  /** Another deployment group of the application, set up like the first, with no history. */
  addGroup(name: string): void {
    this.others.set(name, {
      ...structuredClone(this.group),
      deploymentGroupName: name,
      targetRevision: undefined,
      lastAttemptedDeployment: undefined,
      lastSuccessfulDeployment: undefined,
    });
  }

  private groupNamed(name: string | undefined): DeploymentGroupInfo | undefined {
    if (name === undefined || this.deletedGroups.has(name)) return undefined;
    return name === GROUP ? this.group : this.others.get(name);
  }

  autoRollback(enabled: boolean): void {
    this.group.autoRollbackConfiguration = enabled
      ? { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'] }
      : { enabled: false };
  }

  behave(match: string, b: Behaviour): void {
    this.behaviours.unshift([match, b]);
  }

  /** A deployment started outside Capstan (a person in the console, a pipeline). */
  startForeign(key: string, description = 'hotfix from the console'): string {
    return this.create(s3Revision(key, this.bundles.get(key)), 'user', description).info.deploymentId!;
  }

  /** Someone presses Stop in the console. */
  stop(id: string): void {
    const d = this.deployments.get(id)!;
    d.info.status = 'Stopped';
    d.info.errorInformation = { code: 'MANUAL_STOP', message: 'The deployment was stopped by the user.' };
    d.info.completeTime = this.stamp();
    this.recordAttempt(d.info);
  }

  /** One of the group's alarms goes off: CodeDeploy stops the deployment (ALARM_ACTIVE) and rolls back if the group says so. */
  alarm(id: string, alarm: string): void {
    const d = this.deployments.get(id)!;
    d.info.status = 'Stopped';
    d.info.errorInformation = {
      code: 'ALARM_ACTIVE',
      message: `One or more alarms have been activated according to the Amazon CloudWatch metrics you selected, and the affected deployments have been stopped. Activated alarms: <${alarm}>`,
    };
    d.info.completeTime = this.stamp();
    this.recordAttempt(d.info);
    const c = d.info.autoRollbackConfiguration;
    if (c?.enabled && (c.events ?? []).includes('DEPLOYMENT_STOP_ON_ALARM')) this.rollBack(d);
  }

  /** Now on the shared clock, never earlier than a time already given out, so creation order is time order. */
  private stamp(): Date {
    this.lastStamp = Math.max(this.now() - this.backdate, this.lastStamp + 1);
    return new Date(this.lastStamp);
  }

  get last(): DeploymentInfo {
    return [...this.deployments.values()].at(-1)!.info;
  }

  private behaviourOf(rev: RevisionLocation | undefined): Behaviour {
    const text = JSON.stringify(rev ?? {});
    return this.behaviours.find(([m]) => text.includes(m))?.[1] ?? 'success';
  }

  private create(
    revision: RevisionLocation | undefined,
    creator: string,
    description?: string,
    groupName = GROUP,
  ): FakeDeployment {
    const group = this.groupNamed(groupName)!;
    this.seq += 1;
    const id = `d-TEST${String(this.seq).padStart(5, '0')}`;
    const d: FakeDeployment = {
      info: {
        deploymentId: id,
        applicationName: APP,
        deploymentGroupName: groupName,
        status: 'Created',
        creator: creator as DeploymentInfo['creator'],
        description,
        revision,
        previousRevision: group.targetRevision,
        createTime: this.stamp(),
        deploymentOverview: { Pending: 2, InProgress: 0, Succeeded: 0, Failed: 0, Skipped: 0, Ready: 0 },
        autoRollbackConfiguration: group.autoRollbackConfiguration,
        computePlatform: group.computePlatform,
        blueGreenDeploymentConfiguration: group.blueGreenDeploymentConfiguration,
        deploymentStatusMessages: [],
      },
      behaviour: this.behaviourOf(revision),
      step: 0,
      continued: false,
      readsSinceFailure: 0,
      targets: [],
    };
    this.deployments.set(id, d);
    group.targetRevision = revision;
    this.recordAttempt(d.info);
    return d;
  }

  private recordAttempt(info: DeploymentInfo): void {
    const group = this.groupNamed(info.deploymentGroupName);
    if (!group) return;
    const brief = {
      deploymentId: info.deploymentId,
      status: info.status,
      createTime: info.createTime,
      endTime: info.completeTime,
    };
    group.lastAttemptedDeployment = brief;
    if (info.status === 'Succeeded') group.lastSuccessfulDeployment = brief;
  }

  private finish(d: FakeDeployment, status: DeploymentStatus): void {
    d.info.status = status;
    d.info.completeTime = this.stamp();
    if (status === 'Succeeded') {
      d.info.deploymentOverview = {
        Pending: 0,
        InProgress: 0,
        Succeeded: 2,
        Failed: 0,
        Skipped: 0,
        Ready: 0,
      };
      d.targets = [
        { id: 'i-0abc1234', status: 'Succeeded' },
        { id: 'i-0def5678', status: 'Succeeded' },
      ];
    }
    this.recordAttempt(d.info);
  }

  private fail(d: FakeDeployment): void {
    d.info.deploymentOverview = { Pending: 0, InProgress: 0, Succeeded: 1, Failed: 1, Skipped: 0, Ready: 0 };
    d.info.errorInformation = {
      code: 'HEALTH_CONSTRAINTS',
      message:
        'The overall deployment failed because too many individual instances failed deployment, too few healthy instances are available for deployment, or some instances in your deployment group are experiencing problems.',
    };
    d.targets = [
      {
        id: this.failure.target,
        status: 'Failed',
        failed: { event: this.failure.event, diagnostics: this.failure.diagnostics },
      },
      { id: 'i-0def5678', status: 'Succeeded' },
    ];
    this.finish(d, 'Failed');
    if (this.rollbackRefusal) {
      d.info.rollbackInfo = { rollbackMessage: this.rollbackRefusal };
    }
  }

  /** CodeDeploy's own rollback of a failed deployment: the previous revision, as a new deployment. */
  private rollBack(d: FakeDeployment): void {
    const rb = this.create(
      d.info.previousRevision,
      'codeDeployRollback',
      undefined,
      d.info.deploymentGroupName,
    );
    rb.behaviour = this.rollbackBehaviour;
    rb.info.rollbackInfo = {
      rollbackTriggeringDeploymentId: d.info.deploymentId,
      rollbackMessage: `Rollback of deployment ${d.info.deploymentId}`,
    };
    d.info.rollbackInfo = {
      rollbackDeploymentId: rb.info.deploymentId,
      rollbackMessage: `Rolled back by deployment ${rb.info.deploymentId}`,
    };
  }

  private step(d: FakeDeployment): void {
    const status = d.info.status ?? '';
    if (status === 'Failed' && !d.info.rollbackInfo && this.wantsRollback(d)) {
      d.readsSinceFailure += 1;
      if (d.readsSinceFailure >= this.rollbackDelay) this.rollBack(d);
      return;
    }
    if (!ACTIVE.includes(status)) return;
    d.step += 1;
    if (d.step === 1) {
      d.info.status = 'InProgress';
      d.info.deploymentOverview = {
        Pending: 1,
        InProgress: 1,
        Succeeded: 0,
        Failed: 0,
        Skipped: 0,
        Ready: 0,
      };
      return;
    }
    switch (d.behaviour) {
      case 'stuck':
        return;
      case 'terminationWait':
        d.info.instanceTerminationWaitTimeStarted = true;
        d.info.deploymentOverview = {
          Pending: 0,
          InProgress: 0,
          Succeeded: 2,
          Failed: 0,
          Skipped: 0,
          Ready: 0,
        };
        return;
      case 'success':
        this.finish(d, 'Succeeded');
        return;
      case 'fail':
        this.fail(d);
        if (this.wantsRollback(d) && this.rollbackDelay === 0) this.rollBack(d);
        return;
      case 'ready':
        if (!d.continued) {
          d.info.status = 'Ready';
          d.info.deploymentOverview = {
            Pending: 0,
            InProgress: 0,
            Succeeded: 0,
            Failed: 0,
            Skipped: 0,
            Ready: 1,
          };
        } else if (d.info.status === 'Ready') {
          d.info.status = 'InProgress';
          d.info.deploymentOverview = {
            Pending: 0,
            InProgress: 1,
            Succeeded: 0,
            Failed: 0,
            Skipped: 0,
            Ready: 0,
          };
        } else this.finish(d, 'Succeeded');
        return;
    }
  }

  private wantsRollback(d: FakeDeployment): boolean {
    const c = d.info.autoRollbackConfiguration;
    return !this.rollbackRefusal && c?.enabled === true && (c.events ?? []).includes('DEPLOYMENT_FAILURE');
  }

  private find(id: string): FakeDeployment {
    const found = this.deleted.has(id) ? undefined : this.deployments.get(id);
    const d = found && this.groupNamed(found.info.deploymentGroupName) ? found : undefined;
    if (!d) throw awsError('DeploymentDoesNotExistException', `The deployment ${id} could not be found.`);
    return d;
  }

  private install(): void {
    const { cd, s3 } = this;
    s3.on(HeadObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
      const etag = input.Bucket === BUCKET ? this.bundles.get(input.Key) : undefined;
      if (!etag) throw awsError('NotFound', 'Not Found', 404);
      return { ETag: etag, ContentLength: 2048 };
    });
    cd.on(GetDeploymentGroupCommand).callsFake(
      (input: { applicationName: string; deploymentGroupName: string }) => {
        if (input.applicationName !== APP)
          throw awsError(
            'ApplicationDoesNotExistException',
            `No application found for name: ${input.applicationName}`,
          );
        const group = this.groupNamed(input.deploymentGroupName);
        if (!group)
          throw awsError(
            'DeploymentGroupDoesNotExistException',
            `No Deployment Group found for name: ${input.deploymentGroupName}`,
          );
        return { deploymentGroupInfo: structuredClone(group) };
      },
    );
    cd.on(GetDeploymentCommand).callsFake(async (input: { deploymentId: string }) => {
      await this.beforeGet?.(input.deploymentId);
      if (this.throttle) throw awsError('ThrottlingException', 'Rate exceeded');
      const d = this.find(input.deploymentId);
      this.step(d);
      return { deploymentInfo: structuredClone(d.info) };
    });
    cd.on(ListDeploymentsCommand).callsFake((input: ListDeploymentsCommandInput) => {
      const start = input.createTimeRange?.start?.getTime() ?? 0;
      const ids = [...this.deployments.values()]
        .filter((d) => d.info.applicationName === input.applicationName)
        .filter((d) => d.info.deploymentGroupName === input.deploymentGroupName)
        .filter((d) => !input.includeOnlyStatuses || input.includeOnlyStatuses.includes(d.info.status!))
        .filter((d) => (d.info.createTime?.getTime() ?? 0) >= start)
        .map((d) => d.info.deploymentId!)
        .reverse();
      return { deployments: ids };
    });
    cd.on(CreateDeploymentCommand).callsFake(async (input: CreateDeploymentCommandInput) => {
      await this.beforeCreate?.();
      const groupName = input.deploymentGroupName ?? '';
      if (input.applicationName !== APP || !this.groupNamed(groupName))
        throw awsError('DeploymentGroupDoesNotExistException', 'No Deployment Group found');
      const busy = [...this.deployments.values()].find(
        (d) => d.info.deploymentGroupName === groupName && ACTIVE.includes(d.info.status ?? ''),
      );
      if (busy)
        throw awsError(
          'DeploymentLimitExceededException',
          `The Deployment Group '${groupName}' already has an active Deployment '${busy.info.deploymentId}'`,
        );
      const id = this.create(input.revision, 'user', input.description, groupName).info.deploymentId;
      await this.afterCreate?.();
      return { deploymentId: id };
    });
    cd.on(ListDeploymentTargetsCommand).callsFake(
      (input: { deploymentId: string; targetFilters?: { TargetStatus?: string[] } }) => {
        const wanted = input.targetFilters?.TargetStatus;
        return {
          targetIds: this.find(input.deploymentId)
            .targets.filter((t) => !wanted || wanted.includes(t.status))
            .map((t) => t.id),
        };
      },
    );
    cd.on(BatchGetDeploymentTargetsCommand).callsFake(
      (input: { deploymentId: string; targetIds: string[] }) => {
        const d = this.find(input.deploymentId);
        const ecs = this.group.computePlatform === 'ECS';
        return {
          deploymentTargets: d.targets
            .filter((t) => input.targetIds.includes(t.id))
            .map((t) => {
              const target = {
                deploymentId: input.deploymentId,
                targetId: t.id,
                status: t.status as 'Failed',
                lifecycleEvents: [
                  { lifecycleEventName: 'BeforeInstall', status: 'Succeeded' as const },
                  t.failed
                    ? {
                        lifecycleEventName: t.failed.event,
                        status: 'Failed' as const,
                        diagnostics: t.failed.diagnostics,
                      }
                    : { lifecycleEventName: this.failure.event, status: 'Succeeded' as const },
                ],
              };
              return ecs
                ? { deploymentTargetType: 'ECSTarget' as const, ecsTarget: target }
                : { deploymentTargetType: 'InstanceTarget' as const, instanceTarget: target };
            }),
        };
      },
    );
    cd.on(StopDeploymentCommand).callsFake(
      (input: { deploymentId: string; autoRollbackEnabled?: boolean }) => {
        const d = this.find(input.deploymentId);
        if (!ACTIVE.includes(d.info.status ?? ''))
          throw awsError('DeploymentAlreadyCompletedException', 'The deployment is already completed.');
        this.stop(input.deploymentId);
        if (input.autoRollbackEnabled) this.rollBack(d);
        return { status: 'Pending' };
      },
    );
    cd.on(ContinueDeploymentCommand).callsFake((input: { deploymentId: string }) => {
      const d = this.find(input.deploymentId);
      if (d.info.status !== 'Ready')
        throw awsError('DeploymentIsNotInReadyStateException', 'The deployment is not in the Ready state.');
      d.continued = true;
      return {};
    });
  }
}

export function s3Revision(key: string, eTag?: string): RevisionLocation {
  return {
    revisionType: 'S3',
    s3Location: { bucket: BUCKET, key, bundleType: 'zip', eTag: eTag?.replace(/"/g, '') },
  };
}
