import type { SimEcs } from './ecs.js';
import type { SimS3 } from './s3.js';
import { describeDeployment, describeGroup, describeTarget } from './codedeploy/describe.js';
import { sandboxGroups } from './codedeploy/groups.js';
import { type Ending, advance, finish, newDeployment } from './codedeploy/lifecycle.js';
import {
  ACTIVE,
  ARTIFACT_BUCKET,
  type AutoRollback,
  type Deployment,
  FAILS_AT,
  type Group,
  type Revision,
  STEPS,
  cdError,
  epoch,
} from './codedeploy/model.js';
import { appSpecTaskDefinition, imageOf } from './codedeploy/revisions.js';

export { ecsAppSpec } from './codedeploy/groups.js';
export { ARTIFACT_BUCKET } from './codedeploy/model.js';

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
  private readonly ending: Ending = {
    succeeded: (d) => {
      const content = d.revision.appSpecContent?.content;
      if (d.group.platform !== 'ECS' || !content) return;
      const services = (d.group.extra.ecsServices ?? []) as { serviceName: string; clusterName: string }[];
      for (const s of services)
        this.ecs.replaceTaskSet(s.clusterName, s.serviceName, appSpecTaskDefinition(this.ecs, content));
    },
    rollBack: (d) => this.rollBack(d),
  };
  private readonly find = (id: string) => this.deployment(id);

  constructor(
    private readonly s3: SimS3,
    private readonly ecs: SimEcs,
  ) {
    for (const tag of ['1.2.2', '1.2.3', '1.2.4-broken'])
      s3.put(ARTIFACT_BUCKET, `todobackend/${tag}.zip`, `PK\u0003\u0004 sandbox bundle todobackend ${tag}`);
    this.groups = sandboxGroups([...ecs.taskDefs.keys()][0] ?? '');
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

  private start(
    g: Group,
    revision: Revision,
    o: Pick<Deployment, 'creator' | 'description' | 'autoRollback' | 'failure'>,
  ): Deployment {
    this.seq += 1;
    const d = newDeployment(this.seq, g, revision, o);
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
      } else if (d.status === 'InProgress') advance(d, this.ending);
    }
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
    const image = imageOf(this.s3, this.ecs, g, revision);
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
    return { deploymentInfo: describeDeployment(this.deployment(input.deploymentId), this.find) };
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
    return {
      deploymentGroupInfo: describeGroup(
        g,
        this.deployments.filter((d) => d.group === g),
      ),
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
        return describeTarget(d, t);
      }),
    };
  }

  StopDeployment(input: { deploymentId?: string; autoRollbackEnabled?: boolean }) {
    const d = this.deployment(input.deploymentId);
    if (!ACTIVE.includes(d.status))
      throw cdError('DeploymentAlreadyCompletedException', `The deployment ${d.id} has already completed.`);
    d.error = { code: 'MANUAL_STOP', message: 'The deployment was stopped by a user request.' };
    finish(d, 'Stopped', this.ending);
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
