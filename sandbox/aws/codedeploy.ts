import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { AwsError } from './errors.js';
import { ACCOUNT, REGION, type SimEcs, type SimImage } from './ecs.js';
import type { SimS3 } from './s3.js';

type Status = 'Created' | 'Queued' | 'InProgress' | 'Baking' | 'Ready' | 'Succeeded' | 'Failed' | 'Stopped';
type EventStatus = 'Pending' | 'InProgress' | 'Succeeded' | 'Failed' | 'Skipped' | 'Unknown';
type TargetStatus = EventStatus | 'Ready';

interface Revision {
  revisionType: string;
  s3Location?: { bucket?: string; key?: string; bundleType?: string; version?: string; eTag?: string };
  appSpecContent?: { content?: string; sha256?: string };
}

interface AutoRollback {
  enabled: boolean;
  events?: string[];
}

interface Group {
  readonly app: string;
  readonly name: string;
  readonly id: string;
  readonly platform: 'Server' | 'ECS';
  readonly configName: string;
  readonly autoRollback: AutoRollback;
  readonly style: { deploymentType: string; deploymentOption: string };
  /** Whether a deployment stops in Ready until ContinueDeployment (actionOnTimeout STOP_DEPLOYMENT). */
  readonly waitsForReady: boolean;
  /** Platform-specific parts of the group's description. */
  readonly extra: Record<string, unknown>;
  /** The last revision that deployed successfully: what a rollback redeploys. */
  current: Revision;
  /** The revision of the last deployment attempted. */
  target: Revision;
}

interface LifecycleEvent {
  name: string;
  status: EventStatus;
  start?: Date;
  end?: Date;
  diagnostics?: { errorCode: string; scriptName: string; message: string; logTail: string };
}

interface Target {
  readonly id: string;
  readonly arn: string;
  status: TargetStatus;
  updated: Date;
  events: LifecycleEvent[];
  /** Index into the platform's STEPS of the next step to run. */
  step: number;
}

interface Deployment {
  readonly id: string;
  readonly group: Group;
  readonly revision: Revision;
  readonly previousRevision: Revision;
  readonly creator: 'user' | 'codeDeployRollback';
  readonly description?: string | undefined;
  readonly autoRollback: AutoRollback;
  readonly created: Date;
  /** The lifecycle event that fails, with why; undefined when the revision deploys. */
  readonly failure: { event: string; why: string } | undefined;
  readonly targets: Target[];
  status: Status;
  started?: Date;
  completed?: Date;
  error?: { code: string; message: string };
  rollbackOf?: string;
  rolledBackBy?: string;
  trafficShifted: boolean;
}

/** Each tick runs one step; `READY` is where a blue/green deployment waits for ContinueDeployment. */
const STEPS: Record<Group['platform'], (string[] | 'READY')[]> = {
  Server: [
    ['ApplicationStop', 'DownloadBundle', 'BeforeInstall', 'Install', 'AfterInstall'],
    ['ApplicationStart', 'ValidateService'],
  ],
  ECS: [
    ['BeforeInstall', 'Install', 'AfterInstall'],
    ['AllowTestTraffic', 'AfterAllowTestTraffic'],
    'READY',
    ['BeforeAllowTraffic', 'AllowTraffic', 'AfterAllowTraffic'],
  ],
};
const FAILS_AT: Record<Group['platform'], string> = {
  Server: 'ApplicationStart',
  ECS: 'AfterAllowTestTraffic',
};
const ACTIVE: Status[] = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'];
const INSTANCES = ['i-0f1e2d3c4b5a69001', 'i-0f1e2d3c4b5a69002', 'i-0f1e2d3c4b5a69003'];
const HOOK_FUNCTION = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:todobackend-smoke-test`;
export const ARTIFACT_BUCKET = 'todobackend-artifacts';

const epoch = (d: Date | undefined) => (d ? d.getTime() / 1000 : undefined);
const cdError = (code: string, message: string) => new AwsError(code, message);

/**
 * CodeDeploy with two deployment groups: an in-place EC2 fleet of three instances deployed one at
 * a time from S3 bundles (automatic rollback on failure), and an ECS blue/green service that waits
 * in Ready until ContinueDeployment (no automatic rollback). Deployments move one step per tick; a
 * revision that names the broken build fails at a lifecycle event, and on the fleet CodeDeploy
 * starts a new rollback deployment of the last good revision.
 */
export class SimCodeDeploy {
  readonly groups: Group[];
  readonly deployments: Deployment[] = [];
  /** Set to a lifecycle event name to make the next deployment fail there whatever its revision. */
  failNextAt: string | undefined;
  private seq = 0;

  constructor(
    private readonly s3: SimS3,
    private readonly ecs: SimEcs,
  ) {
    for (const tag of ['1.2.2', '1.2.3', '1.2.4-broken'])
      s3.put(ARTIFACT_BUCKET, `todobackend/${tag}.zip`, `PK\u0003\u0004 sandbox bundle todobackend ${tag}`);
    const fleetRevision: Revision = {
      revisionType: 'S3',
      s3Location: { bucket: ARTIFACT_BUCKET, key: 'todobackend/1.2.2.zip', bundleType: 'zip' },
    };
    const taskDefinition = [...ecs.taskDefs.keys()][0] ?? '';
    const bgRevision: Revision = {
      revisionType: 'AppSpecContent',
      appSpecContent: { content: ecsAppSpec(taskDefinition) },
    };
    this.groups = [
      {
        app: 'todobackend',
        name: 'todobackend-fleet',
        id: '3f0c2b6e-1d4a-4e8b-9c7d-5a1f0e2d3c41',
        platform: 'Server',
        configName: 'CodeDeployDefault.OneAtATime',
        autoRollback: { enabled: true, events: ['DEPLOYMENT_FAILURE'] },
        style: { deploymentType: 'IN_PLACE', deploymentOption: 'WITHOUT_TRAFFIC_CONTROL' },
        waitsForReady: false,
        extra: { ec2TagFilters: [{ Key: 'Name', Value: 'todobackend', Type: 'KEY_AND_VALUE' }] },
        current: fleetRevision,
        target: fleetRevision,
      },
      {
        app: 'todobackend-bg',
        name: 'todobackend-bluegreen',
        id: '8a4e1c2d-7b3f-4a6e-8d9c-0e1f2a3b4c52',
        platform: 'ECS',
        configName: 'CodeDeployDefault.ECSAllAtOnce',
        autoRollback: { enabled: false, events: [] },
        style: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
        waitsForReady: true,
        extra: {
          ecsServices: [{ serviceName: 'todobackend-bg', clusterName: 'todobackend-bg' }],
          blueGreenDeploymentConfiguration: {
            deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 60 },
            terminateBlueInstancesOnDeploymentSuccess: {
              action: 'TERMINATE',
              terminationWaitTimeInMinutes: 0,
            },
          },
          loadBalancerInfo: {
            targetGroupPairInfoList: [
              {
                targetGroups: [{ name: 'todobackend-blue' }, { name: 'todobackend-green' }],
                prodTrafficRoute: { listenerArns: [listenerArn('prod', 443)] },
                testTrafficRoute: { listenerArns: [listenerArn('test', 8443)] },
              },
            ],
          },
        },
        current: bgRevision,
        target: bgRevision,
      },
    ];
  }

  private group(app: string | undefined, name: string | undefined): Group {
    if (!app) throw cdError('ApplicationNameRequiredException', 'The application name was not specified.');
    if (!this.groups.some((g) => g.app === app))
      throw cdError('ApplicationDoesNotExistException', `No application found for name: ${app}`);
    if (!name)
      throw cdError('DeploymentGroupNameRequiredException', 'The deployment group name was not specified.');
    const g = this.groups.find((x) => x.app === app && x.name === name);
    if (!g)
      throw cdError('DeploymentGroupDoesNotExistException', `No Deployment Group found for name: ${name}`);
    return g;
  }

  private deployment(id: string | undefined): Deployment {
    if (!id) throw cdError('DeploymentIdRequiredException', 'The deployment ID was not specified.');
    const d = this.deployments.find((x) => x.id === id);
    if (!d) throw cdError('DeploymentDoesNotExistException', `The deployment ${id} could not be found.`);
    return d;
  }

  /** The image a revision deploys, after checking the revision the way CreateDeployment does. */
  private imageOf(g: Group, r: Revision): SimImage | undefined {
    if (r.revisionType === 'S3') {
      const { bucket, key, bundleType } = r.s3Location ?? {};
      const allowed = g.platform === 'Server' ? ['tar', 'tgz', 'zip'] : ['YAML', 'JSON'];
      if (!bucket || !key || !bundleType || !allowed.includes(bundleType))
        throw cdError(
          'InvalidRevisionException',
          `The S3 revision needs a bucket, a key and a bundleType of ${allowed.join(', ')}.`,
        );
      const object = this.s3.get(bucket, key);
      if (!object)
        throw cdError(
          'RevisionDoesNotExistException',
          `No application revision found for revision: s3://${bucket}/${key} (bundleType ${bundleType}).`,
        );
      if (g.platform === 'Server') return this.ecs.imageNamedIn(key);
      return this.appSpecImage(object.body.toString('utf8'));
    }
    if (r.revisionType === 'AppSpecContent' && g.platform === 'ECS')
      return this.appSpecImage(r.appSpecContent?.content ?? '');
    throw cdError(
      'InvalidRevisionException',
      `Revision type ${r.revisionType} is not valid for ${g.platform}.`,
    );
  }

  private appSpecImage(content: string): SimImage | undefined {
    return this.ecs.imageOf(this.appSpecTaskDefinition(content));
  }

  /** The task definition an ECS AppSpec names, if ECS has it. */
  private appSpecTaskDefinition(content: string): string {
    let spec: unknown;
    try {
      spec = parseYaml(content);
    } catch {
      spec = undefined;
    }
    const resources = (spec as { Resources?: unknown } | undefined)?.Resources;
    const first = (Array.isArray(resources) ? (resources[0] as Record<string, unknown>) : undefined) ?? {};
    const service = Object.values(first)[0] as { Properties?: { TaskDefinition?: unknown } } | undefined;
    const arn = service?.Properties?.TaskDefinition;
    if (typeof arn !== 'string')
      throw cdError(
        'InvalidRevisionException',
        'The AppSpec file is not well-formed: Resources[0].TargetService.Properties.TaskDefinition is missing.',
      );
    if (!this.ecs.taskDefs.has(arn))
      throw cdError('InvalidRevisionException', `The ECS task definition ${arn} does not exist.`);
    return arn;
  }

  private start(
    g: Group,
    revision: Revision,
    o: Pick<Deployment, 'creator' | 'description' | 'autoRollback' | 'failure'>,
  ): Deployment {
    this.seq += 1;
    const now = new Date();
    const targets: Target[] = (g.platform === 'Server' ? INSTANCES : ['todobackend-bg:todobackend-bg']).map(
      (id) => ({
        id,
        arn:
          g.platform === 'Server'
            ? `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${id}`
            : `arn:aws:ecs:${REGION}:${ACCOUNT}:service/todobackend-bg/todobackend-bg`,
        status: 'Pending',
        updated: now,
        events: STEPS[g.platform]
          .flatMap((s) => (s === 'READY' ? [] : s))
          .map((name) => ({ name, status: 'Pending' })),
        step: 0,
      }),
    );
    const d: Deployment = {
      ...o,
      id: `d-${createHash('sha1').update(`deployment-${this.seq}`).digest('hex').slice(0, 9).toUpperCase()}`,
      group: g,
      revision,
      previousRevision: g.current,
      created: now,
      targets,
      status: 'Created',
      trafficShifted: false,
    };
    g.target = revision;
    this.deployments.push(d);
    return d;
  }

  /** Moves every active deployment one step. */
  tick(): void {
    for (const d of [...this.deployments]) {
      if (d.status === 'Created') {
        d.status = 'InProgress';
        d.started = new Date();
      } else if (d.status === 'InProgress') this.advance(d);
    }
  }

  private advance(d: Deployment): void {
    const t = d.targets.find((x) => x.status === 'Pending' || x.status === 'InProgress');
    if (!t) return this.finish(d, 'Succeeded');
    const steps = STEPS[d.group.platform];
    let step = steps[t.step];
    if (step === 'READY') {
      t.step += 1;
      if (d.group.waitsForReady && d.creator === 'user') {
        t.status = 'Ready';
        d.status = 'Ready';
        return;
      }
      step = steps[t.step];
    }
    const now = new Date();
    t.status = 'InProgress';
    t.updated = now;
    for (const name of step === 'READY' ? [] : (step ?? [])) {
      const e = t.events.find((x) => x.name === name)!;
      e.start = now;
      e.end = now;
      if (d.failure?.event === name) {
        e.status = 'Failed';
        e.diagnostics = diagnosticsFor(d.group.platform, d.failure.why);
        for (const rest of t.events) if (rest.status === 'Pending') rest.status = 'Skipped';
        t.status = 'Failed';
        return this.fail(d);
      }
      e.status = 'Succeeded';
      if (name === 'AllowTraffic') d.trafficShifted = true;
    }
    t.step += 1;
    if (t.step >= steps.length) t.status = 'Succeeded';
  }

  private finish(d: Deployment, status: 'Succeeded' | 'Failed' | 'Stopped'): void {
    d.status = status;
    d.completed = new Date();
    for (const t of d.targets) {
      if (t.status === 'Pending' || t.status === 'InProgress' || t.status === 'Ready') t.status = 'Skipped';
      for (const e of t.events) if (e.status === 'Pending' || e.status === 'InProgress') e.status = 'Skipped';
    }
    if (status !== 'Succeeded') return;
    d.group.current = d.revision;
    const content = d.revision.appSpecContent?.content;
    if (d.group.platform === 'ECS' && content) {
      const services = (d.group.extra.ecsServices ?? []) as { serviceName: string; clusterName: string }[];
      for (const s of services)
        this.ecs.replaceTaskSet(s.clusterName, s.serviceName, this.appSpecTaskDefinition(content));
    }
  }

  private fail(d: Deployment): void {
    d.error =
      d.group.platform === 'Server'
        ? {
            code: 'HEALTH_CONSTRAINTS',
            message:
              'The overall deployment failed because too many individual instances failed deployment, too few healthy instances are available for deployment, or some instances in your deployment group are experiencing problems.',
          }
        : {
            code: 'HOOK_EXECUTION_FAILURE',
            message: `The deployment failed because a lifecycle event hook failed: ${d.failure?.event} (${HOOK_FUNCTION}) returned Failed.`,
          };
    this.finish(d, 'Failed');
    if (d.autoRollback.enabled && d.autoRollback.events?.includes('DEPLOYMENT_FAILURE')) this.rollBack(d);
  }

  /** CodeDeploy's rollback: a new deployment, with a new ID, of the last good revision. */
  private rollBack(d: Deployment): void {
    const rb = this.start(d.group, d.group.current, {
      creator: 'codeDeployRollback',
      description: `Rollback of deployment ${d.id}`,
      autoRollback: { enabled: false, events: [] },
      failure: undefined,
    });
    rb.rollbackOf = d.id;
    d.rolledBackBy = rb.id;
  }

  private rollbackInfo(d: Deployment) {
    if (d.rollbackOf)
      return {
        rollbackTriggeringDeploymentId: d.rollbackOf,
        rollbackMessage: `Automatic rollback of deployment ${d.rollbackOf} to the last successful revision.`,
      };
    if (!d.rolledBackBy) return undefined;
    const rb = this.deployment(d.rolledBackBy);
    const state =
      rb.status === 'Succeeded' ? 'succeeded' : rb.status === 'Failed' ? 'failed' : 'is in progress';
    return {
      rollbackDeploymentId: rb.id,
      rollbackMessage: `Automatic rollback deployment ${rb.id} ${state}.`,
    };
  }

  private describe(d: Deployment) {
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
      rollbackInfo: this.rollbackInfo(d),
      deploymentStyle: g.style,
      instanceTerminationWaitTimeStarted: false,
      blueGreenDeploymentConfiguration: g.extra.blueGreenDeploymentConfiguration,
      loadBalancerInfo: g.extra.loadBalancerInfo,
      fileExistsBehavior: g.platform === 'Server' ? 'DISALLOW' : undefined,
      deploymentStatusMessages: [],
      computePlatform: g.platform,
    };
  }

  private describeTarget(d: Deployment, t: Target) {
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

  // --- API operations, by their wire names ---

  CreateDeployment(input: {
    applicationName?: string;
    deploymentGroupName?: string;
    revision?: Revision;
    description?: string;
    autoRollbackConfiguration?: AutoRollback;
  }) {
    const g = this.group(input.applicationName, input.deploymentGroupName);
    const revision = input.revision;
    if (!revision?.revisionType)
      throw cdError('RevisionRequiredException', 'The revision was not specified.');
    const image = this.imageOf(g, revision);
    const active = this.deployments.find((d) => d.group === g && ACTIVE.includes(d.status));
    if (active)
      throw cdError(
        'DeploymentLimitExceededException',
        `The Deployment Group '${g.name}' already has an active Deployment '${active.id}'`,
      );
    const failAt = this.failNextAt ?? (image?.broken ? FAILS_AT[g.platform] : undefined);
    this.failNextAt = undefined;
    const runs = (event: string) => STEPS[g.platform].some((s) => s !== 'READY' && s.includes(event));
    const d = this.start(g, revision, {
      creator: 'user',
      description: input.description,
      autoRollback: input.autoRollbackConfiguration ?? g.autoRollback,
      failure: failAt
        ? {
            event: runs(failAt) ? failAt : FAILS_AT[g.platform],
            why: `todobackend ${image?.tag ?? 'revision'} exited with code 1`,
          }
        : undefined,
    });
    return { deploymentId: d.id };
  }

  GetDeployment(input: { deploymentId?: string }) {
    return { deploymentInfo: this.describe(this.deployment(input.deploymentId)) };
  }

  ListDeployments(input: {
    applicationName?: string;
    deploymentGroupName?: string;
    includeOnlyStatuses?: string[];
    /** Epoch seconds on the wire. */
    createTimeRange?: { start?: number; end?: number };
  }) {
    const g = this.group(input.applicationName, input.deploymentGroupName);
    const statuses = input.includeOnlyStatuses ?? [];
    const from = input.createTimeRange?.start ?? -Infinity;
    const to = input.createTimeRange?.end ?? Infinity;
    return {
      deployments: this.deployments
        .filter((d) => d.group === g && (statuses.length === 0 || statuses.includes(d.status)))
        .filter((d) => epoch(d.created)! >= from && epoch(d.created)! <= to)
        .map((d) => d.id)
        .reverse(),
    };
  }

  GetDeploymentGroup(input: { applicationName?: string; deploymentGroupName?: string }) {
    const g = this.group(input.applicationName, input.deploymentGroupName);
    const mine = this.deployments.filter((d) => d.group === g);
    const last = (d: Deployment | undefined) =>
      d && {
        deploymentId: d.id,
        status: d.status,
        endTime: epoch(d.completed),
        createTime: epoch(d.created),
      };
    return {
      deploymentGroupInfo: {
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
      },
    };
  }

  ListDeploymentTargets(input: { deploymentId?: string; targetFilters?: Record<string, string[]> }) {
    const d = this.deployment(input.deploymentId);
    const statuses = input.targetFilters?.TargetStatus ?? [];
    return {
      targetIds: d.targets
        .filter((t) => statuses.length === 0 || statuses.includes(t.status))
        .map((t) => t.id),
    };
  }

  BatchGetDeploymentTargets(input: { deploymentId?: string; targetIds?: string[] }) {
    const d = this.deployment(input.deploymentId);
    const ids = input.targetIds ?? [];
    if (ids.length > 25)
      throw cdError('DeploymentTargetListSizeExceededException', 'The maximum number of targets is 25.');
    return {
      deploymentTargets: ids.map((id) => {
        const t = d.targets.find((x) => x.id === id);
        if (!t)
          throw cdError(
            'DeploymentTargetDoesNotExistException',
            `The target ${id} does not exist in deployment ${d.id}.`,
          );
        return this.describeTarget(d, t);
      }),
    };
  }

  StopDeployment(input: { deploymentId?: string; autoRollbackEnabled?: boolean }) {
    const d = this.deployment(input.deploymentId);
    if (!ACTIVE.includes(d.status))
      throw cdError('DeploymentAlreadyCompletedException', `The deployment ${d.id} has already completed.`);
    d.error = { code: 'MANUAL_STOP', message: 'The deployment was stopped by a user request.' };
    this.finish(d, 'Stopped');
    const rollBack =
      input.autoRollbackEnabled ??
      (d.autoRollback.enabled && (d.autoRollback.events ?? []).includes('DEPLOYMENT_STOP_ON_REQUEST'));
    if (rollBack) this.rollBack(d);
    return { status: 'Succeeded', statusMessage: `Deployment ${d.id} was stopped.` };
  }

  ContinueDeployment(input: { deploymentId?: string; deploymentWaitType?: string }) {
    const d = this.deployment(input.deploymentId);
    if ((input.deploymentWaitType ?? 'READY_WAIT') !== 'READY_WAIT' || d.status !== 'Ready')
      throw cdError(
        'DeploymentIsNotInReadyStateException',
        `The deployment ${d.id} is not in a ready state.`,
      );
    d.status = 'InProgress';
    for (const t of d.targets) if (t.status === 'Ready') t.status = 'InProgress';
    return {};
  }
}

/** GetDeployment never returns AppSpec content, only its hash. */
function describeRevision(r: Revision): Revision {
  if (!r.appSpecContent) return r;
  const content = r.appSpecContent.content ?? '';
  return {
    revisionType: r.revisionType,
    appSpecContent: { sha256: r.appSpecContent.sha256 ?? createHash('sha256').update(content).digest('hex') },
  };
}

function diagnosticsFor(platform: Group['platform'], why: string) {
  if (platform === 'Server')
    return {
      errorCode: 'ScriptFailed',
      scriptName: 'scripts/start_server.sh',
      message:
        'Script at specified location: scripts/start_server.sh run as user root failed with exit code 1',
      logTail: `[stdout]Starting todobackend\n[stderr]${why}\n`,
    };
  return {
    errorCode: 'ScriptFailed',
    scriptName: HOOK_FUNCTION,
    message: `The lifecycle hook ${HOOK_FUNCTION} returned Failed.`,
    logTail: `smoke test failed: ${why}`,
  };
}

function listenerArn(name: string, port: number): string {
  return `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener/app/todobackend/50dc6c495c0c9188/${name}${port}`;
}

/** The AppSpec an ECS blue/green revision carries, as Capstan would send it. */
export function ecsAppSpec(taskDefinition: string): string {
  return JSON.stringify({
    version: 0.0,
    Resources: [
      {
        TargetService: {
          Type: 'AWS::ECS::Service',
          Properties: {
            TaskDefinition: taskDefinition,
            LoadBalancerInfo: { ContainerName: 'app', ContainerPort: 8000 },
          },
        },
      },
    ],
    Hooks: [{ AfterAllowTestTraffic: 'todobackend-smoke-test' }],
  });
}
