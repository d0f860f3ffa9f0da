import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type Deployment,
  type DescribeTaskDefinitionCommandOutput,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { type Clock, systemClock } from '../../src/ports/clock.js';

const ecsStub = () => mockClient(ECSClient);
const ecrStub = () => mockClient(ECRClient);
import { ACCOUNT, REPO_URI, service as baseService, taskDefinition, tdArn } from '../fixtures/ecs.js';

/** How a rollout of an image behaves, one step per DescribeServices call. */
export type Behaviour =
  | 'success'
  | 'circuit_breaker' // FAILED after failing tasks; ECS does not roll back (breaker rollback off)
  | 'circuit_breaker_ecs_rollback' // FAILED, and ECS rolls back by itself
  | 'cannot_pull' // tasks keep stopping; no circuit breaker
  | 'stuck' // nothing moves
  | 'unplaceable' // no task can be placed: ECS repeats the same warning on every look, nothing else moves
  | 'crash_loop' // containers start, then exit 1; ECS no longer counts them in failedTasks
  | 'disappear' // ECS replaces the deployment with the previous one
  | 'alarm'; // tasks run, then one of the service's alarms goes off: FAILED, and ECS rolls back when `alarms.rollback`

export const digestOf = (tag: string) =>
  `sha256:${Buffer.from(tag).toString('hex').padEnd(64, '0').slice(0, 64)}`;

const notFound = (name: string, message: string) =>
  Object.assign(new Error(message), { name, $fault: 'client', $metadata: {} });

/** An ECR repository of another account: its registry id and its tags. */
interface Repository {
  registryId: string;
  tags: Map<string, { digest: string; pushedAt: Date }>;
}

interface DescribeImagesInput {
  readonly repositoryName: string;
  readonly registryId?: string;
  readonly imageIds?: readonly { readonly imageTag?: string; readonly imageDigest?: string }[];
}

const imageNotFound = (repo: { name: string; registryId: string }, id: string) =>
  notFound(
    'ImageNotFoundException',
    `The image with imageId ${id} does not exist within the repository with name '${repo.name}' in the registry with id '${repo.registryId}'`,
  );

/**
 * One ECS service and its ECR repository, faked at the SDK clients' send(). Registered task
 * definitions are kept, UpdateService starts a deployment, and each DescribeServices call moves
 * the deployment in progress one step according to its image's behaviour.
 */
export class FakeEcs {
  readonly ecs: ReturnType<typeof ecsStub>;
  readonly ecr: ReturnType<typeof ecrStub>;
  readonly tags: Map<string, { digest: string; pushedAt: Date }>;
  /**
   * Other ECR repositories by name, each in its own account (`registryId`) with its own tags. Any
   * repository not named here answers from `tags`, in ACCOUNT.
   */
  readonly repositories: Map<string, Repository>;
  readonly behaviour = new Map<string, Behaviour>();
  readonly taskDefs: Map<string, DescribeTaskDefinitionCommandOutput>;
  readonly stopped: Task[] = [];
  service: Service;
  private revision = 41;
  private deploymentSeq = 1;
  private steps = new Map<string, number>();
  private eventSeq = 0;
  circuitBreaker = { enable: true, rollback: false };
  /** deploymentConfiguration.alarms as DescribeServices answers it (absent when unset). */
  alarms: { alarmNames: string[]; enable: boolean; rollback: boolean } | undefined;
  /**
   * The rolloutStateReason of a deployment its alarms fail ('alarm' behaviour); ECS's exact words are
   * not documented. `{alarms}` becomes the alarms' names, `{previous}` the deployment ECS goes back to.
   */
  alarmFailureReason = 'ECS deployment alarms detected: {alarms} in ALARM state.';
  /** How many more DescribeServices ECS takes to start its rollback after an alarm failed a deployment (0: at once). */
  alarmRollbackLooks = 0;
  private alarmRollback: { looks: number; start: () => void } | undefined;
  /** deploymentConfiguration.strategy as DescribeServices answers it (ROLLING when unset). */
  strategy: 'BLUE_GREEN' | 'LINEAR' | 'CANARY' | undefined;
  /** Called on every DescribeServices of this service's cluster, before answering (to script failures, or hang). */
  beforeDescribe: (() => void | Promise<void>) | undefined;
  /** Called on UpdateService before it changes anything: a throw is an error with no effect, a hang stops before AWS. */
  beforeUpdate: (() => void | Promise<void>) | undefined;
  /** Called on UpdateService after the deployment started: a throw is a lost response, a hang a caller that never hears back. */
  afterUpdate: (() => void | Promise<void>) | undefined;
  /** Deleted under the rollout: the service (DescribeServices reports it MISSING) or its whole cluster. */
  gone: 'service' | 'cluster' | undefined;
  /** Other services (in other clusters or this one), answered by the same SDK mocks (see `joining`). */
  private readonly members: FakeEcs[] = [];
  /** Set: DescribeServices lists this service among its failures with this reason (not MISSING). */
  failure: string | undefined;
  readonly cluster: string;
  /** AWS's clock: the one Capstan reads in the same test. */
  private readonly clock: Clock;
  readonly now = () => this.clock.now();

  /**
   * `joining`: another FakeEcs whose SDK mocks answer for this service too, in its own cluster: one
   * cluster can be made sick while the other goes on. Task definitions and tags are shared.
   */
  constructor(
    readonly serviceName = 'todobackend-dev',
    opts: { readonly cluster?: string; readonly joining?: FakeEcs; readonly clock?: Clock } = {},
  ) {
    this.cluster = opts.cluster ?? 'todo-dev';
    this.clock = opts.clock ?? opts.joining?.clock ?? systemClock;
    const leader = opts.joining;
    this.ecs = leader?.ecs ?? ecsStub();
    this.ecr = leader?.ecr ?? ecrStub();
    this.tags = leader?.tags ?? new Map<string, { digest: string; pushedAt: Date }>();
    this.repositories = leader?.repositories ?? new Map<string, Repository>();
    this.taskDefs = leader?.taskDefs ?? new Map<string, DescribeTaskDefinitionCommandOutput>();
    for (const [i, t] of ['1.2.0', '1.2.1', '1.2.2', '1.2.3', '1.2.4-broken'].entries()) {
      this.tags.set(t, { digest: digestOf(t), pushedAt: new Date(this.now() - (30 - i) * 86_400_000) });
    }
    const first = tdArn('todobackend', 41);
    this.taskDefs.set(first, taskDefinition(41, `${REPO_URI}@${digestOf('1.2.2')}`, '1.2.2'));
    this.service = baseService({ serviceName, taskDefinition: first });
    if (leader) leader.members.push(this);
    else this.install();
  }

  restore(): void {
    this.ecs.restore();
    this.ecr.restore();
  }

  /** The repository a DescribeImages names; another account's registryId than its own finds none. */
  private repository(input: DescribeImagesInput) {
    const own = this.repositories.get(input.repositoryName);
    const repo = {
      name: input.repositoryName,
      registryId: own?.registryId ?? ACCOUNT,
      tags: own?.tags ?? this.tags,
    };
    if (input.registryId !== undefined && input.registryId !== repo.registryId)
      throw notFound(
        'RepositoryNotFoundException',
        `The repository with name '${repo.name}' does not exist in the registry with id '${input.registryId}'`,
      );
    return repo;
  }

  /** The fake that answers for a service of a cluster (the cluster's first when no service is named). */
  private at(cluster: string | undefined, service?: string): FakeEcs {
    const all = [this, ...this.members];
    const inCluster = all.filter((f) => f.cluster === (cluster ?? this.cluster));
    return (
      inCluster.find(
        (f) => service === undefined || f.serviceName === service || service.endsWith(`/${f.serviceName}`),
      ) ??
      inCluster[0] ??
      this
    );
  }

  private event(message: string): void {
    this.eventSeq += 1;
    this.service.events = [
      {
        id: `ev-${this.eventSeq}`,
        createdAt: new Date(this.now() + this.eventSeq),
        message: `(service ${this.serviceName}) ${message}`,
      },
      ...(this.service.events ?? []),
    ].slice(0, 100);
  }

  private behaviourOf(td: string): Behaviour {
    const image =
      this.taskDefs.get(td)?.taskDefinition?.containerDefinitions?.find((c) => c.name === 'app')?.image ?? '';
    for (const [tag, b] of this.behaviour) if (image.endsWith(digestOf(tag))) return b;
    return 'success';
  }

  private install(): void {
    const { ecs, ecr } = this;
    ecr.on(DescribeImagesCommand).callsFake((input: DescribeImagesInput) => {
      const repo = this.repository(input);
      const id = input.imageIds?.[0];
      const detail = (digest: string, tags: string[], pushedAt: Date) => ({
        registryId: repo.registryId,
        repositoryName: repo.name,
        imageDigest: digest,
        imageTags: tags,
        imagePushedAt: pushedAt,
      });
      if (id?.imageDigest !== undefined) {
        const named = [...repo.tags].filter(([, t]) => t.digest === id.imageDigest);
        if (!named[0]) throw imageNotFound(repo, `{imageDigest:'${id.imageDigest}', imageTag:'null'}`);
        return {
          imageDetails: [
            detail(
              id.imageDigest,
              named.map(([tg]) => tg),
              named[0][1].pushedAt,
            ),
          ],
        };
      }
      if (id?.imageTag !== undefined) {
        const t = repo.tags.get(id.imageTag);
        if (!t) throw imageNotFound(repo, `{imageDigest:'null', imageTag:'${id.imageTag}'}`);
        return { imageDetails: [detail(t.digest, [id.imageTag], t.pushedAt)] };
      }
      return { imageDetails: [...repo.tags].map(([tg, t]) => detail(t.digest, [tg], t.pushedAt)) };
    });
    ecs.on(DescribeClustersCommand).callsFake((input: { clusters?: string[] }) => {
      const f = this.at(input.clusters?.[0]);
      return f.gone === 'cluster'
        ? { clusters: [], failures: [{ arn: f.cluster, reason: 'MISSING' }] }
        : { clusters: [{ clusterName: f.cluster, status: 'ACTIVE' }] };
    });
    ecs.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => {
      const td = this.taskDefs.get(input.taskDefinition);
      if (!td) throw notFound('ClientException', 'Unable to describe task definition.');
      return td;
    });
    ecs
      .on(RegisterTaskDefinitionCommand)
      .callsFake((input: Record<string, unknown> & { tags?: { key: string; value: string }[] }) => {
        this.revision += 1;
        const arn = tdArn('todobackend', this.revision);
        const { tags, ...td } = input;
        this.taskDefs.set(arn, {
          $metadata: {},
          taskDefinition: { ...td, taskDefinitionArn: arn, revision: this.revision, status: 'ACTIVE' },
          tags,
        });
        return { taskDefinition: { taskDefinitionArn: arn, revision: this.revision } };
      });
    ecs
      .on(UpdateServiceCommand)
      .callsFake(async (input: { cluster?: string; service?: string; taskDefinition: string }) => {
        const f = this.at(input.cluster, input.service);
        await f.beforeUpdate?.();
        const out = f.startDeployment(input.taskDefinition);
        await f.afterUpdate?.();
        return out;
      });
    ecs.on(DescribeServicesCommand).callsFake(async (input: { cluster?: string; services: string[] }) => {
      const first = this.at(input.cluster);
      await first.beforeDescribe?.();
      if (first.gone === 'cluster') throw notFound('ClusterNotFoundException', 'Cluster not found.');
      const services: Service[] = [];
      const failures: { arn: string; reason: string }[] = [];
      for (const name of input.services) {
        const f = this.at(input.cluster, name);
        if (f.serviceName !== name || f.gone === 'service') {
          failures.push({ arn: name, reason: 'MISSING' });
          continue;
        }
        if (f.failure) {
          failures.push({
            arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:service/${f.cluster}/${name}`,
            reason: f.failure,
          });
          continue;
        }
        f.step();
        services.push({
          ...f.service,
          deploymentConfiguration: {
            deploymentCircuitBreaker: f.circuitBreaker,
            ...(f.strategy ? { strategy: f.strategy } : {}),
            ...(f.alarms ? { alarms: f.alarms } : {}),
          },
        });
      }
      return { services, failures };
    });
    ecs.on(ListTasksCommand).callsFake((input: { cluster?: string; serviceName?: string }) => ({
      taskArns: this.at(input.cluster, input.serviceName).stopped.map((t) => t.taskArn),
    }));
    ecs.on(DescribeTasksCommand).callsFake((input: { cluster?: string; tasks: string[] }) => ({
      tasks: [this, ...this.members]
        .flatMap((f) => f.stopped)
        .filter((t) => input.tasks.includes(t.taskArn ?? '')),
    }));
  }

  startDeployment(td: string, primaryOnly = false): { service: Service } {
    const id = `ecs-svc/${String(2000 + this.deploymentSeq++).padStart(19, '9')}`;
    const d: Deployment = {
      id,
      status: 'PRIMARY',
      taskDefinition: td,
      desiredCount: 2,
      runningCount: 0,
      pendingCount: 0,
      failedTasks: 0,
      rolloutState: 'IN_PROGRESS',
      createdAt: new Date(this.now()),
      updatedAt: new Date(this.now()),
    };
    const old = (this.service.deployments ?? []).map((x) =>
      x.status === 'PRIMARY' ? { ...x, status: 'ACTIVE' } : x,
    );
    this.service = { ...this.service, taskDefinition: td, deployments: primaryOnly ? [d] : [d, ...old] };
    this.steps.set(id, 0);
    return { service: this.service };
  }

  private primary(): Deployment | undefined {
    return this.service.deployments?.find((d) => d.status === 'PRIMARY');
  }

  private patch(id: string, change: Partial<Deployment>): void {
    this.service.deployments = (this.service.deployments ?? []).map((d) =>
      d.id === id ? { ...d, ...change, updatedAt: new Date(this.now()) } : d,
    );
  }

  private complete(d: Deployment): void {
    this.service.deployments = [
      { ...d, runningCount: 2, pendingCount: 0, rolloutState: 'COMPLETED', updatedAt: new Date(this.now()) },
    ];
    this.service.runningCount = 2;
    this.event('has reached a steady state.');
  }

  private stopTask(td: string, reason: string): void {
    const n = this.stopped.length + 1;
    this.stopped.push({
      taskArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task/todo-dev/task${n}`,
      taskDefinitionArn: td,
      lastStatus: 'STOPPED',
      stoppedReason: reason,
      containers: [{ name: 'app', reason: reason.split(':')[0] }],
    });
  }

  private step(): void {
    if (this.alarmRollback && --this.alarmRollback.looks <= 0) {
      const start = this.alarmRollback.start;
      this.alarmRollback = undefined;
      start();
    }
    const d = this.primary();
    if (!d?.id || d.rolloutState !== 'IN_PROGRESS') return;
    const n = (this.steps.get(d.id) ?? 0) + 1;
    this.steps.set(d.id, n);
    const td = d.taskDefinition ?? '';
    const b = this.behaviourOf(td);
    switch (b) {
      case 'success':
        if (n === 1) {
          this.patch(d.id, { runningCount: 1, pendingCount: 1 });
          this.event(`has started 2 tasks: (task a) (task b).`);
        } else this.complete(d);
        return;
      case 'stuck':
        return;
      case 'unplaceable':
        this.event(
          'was unable to place a task because no container instance met all of its requirements. The closest matching container-instance abc123 has insufficient memory available.',
        );
        return;
      case 'crash_loop':
        // A task ran, so ECS stops counting: running flickers between 0 and 1, failedTasks stays 0.
        this.patch(d.id, { runningCount: n % 2, pendingCount: 1 });
        if (n % 2 === 0) {
          const count = this.stopped.length + 1;
          this.stopped.push({
            taskArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task/todo-dev/task${count}`,
            taskDefinitionArn: td,
            lastStatus: 'STOPPED',
            stoppedReason: 'Essential container in task exited',
            containers: [{ name: 'app', exitCode: 1 }],
          });
        }
        return;
      case 'cannot_pull':
      case 'circuit_breaker':
      case 'circuit_breaker_ecs_rollback': {
        this.stopTask(
          td,
          'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref',
        );
        this.patch(d.id, { failedTasks: (d.failedTasks ?? 0) + 1 });
        if (b === 'cannot_pull' || n < 3) return;
        const rollsBack = b === 'circuit_breaker_ecs_rollback';
        const previous = this.service.deployments?.find((x) => x.status === 'ACTIVE');
        this.patch(d.id, {
          rolloutState: 'FAILED',
          rolloutStateReason: rollsBack
            ? `ECS deployment circuit breaker: rolling back to deploymentId ${previous?.id}.`
            : 'ECS deployment circuit breaker: task failed to start.',
        });
        if (rollsBack && previous?.taskDefinition) {
          const failed = this.primary()!;
          this.startDeployment(previous.taskDefinition, true);
          this.service.deployments = [...(this.service.deployments ?? []), { ...failed, status: 'ACTIVE' }];
        }
        return;
      }
      case 'alarm':
        if (n === 1) {
          this.patch(d.id, { runningCount: 2, pendingCount: 0 });
          this.event(`has started 2 tasks: (task a) (task b).`);
        } else this.failOnAlarm(d);
        return;
      case 'disappear':
        if (n === 1) this.patch(d.id, { runningCount: 0, pendingCount: 2 });
        else {
          const previous = this.service.deployments?.find((x) => x.status === 'ACTIVE');
          if (previous)
            this.service = {
              ...this.service,
              taskDefinition: previous.taskDefinition,
              deployments: [{ ...previous, status: 'PRIMARY', rolloutState: 'COMPLETED' }],
            };
          this.event('has reached a steady state.');
        }
        return;
    }
  }

  /** One of the service's alarms went off: ECS fails the deployment, and with `rollback` goes back to the one before. */
  private failOnAlarm(d: Deployment): void {
    const previous = this.service.deployments?.find((x) => x.status === 'ACTIVE');
    const reason = this.alarmFailureReason
      .replace('{alarms}', (this.alarms?.alarmNames ?? []).join(', '))
      .replace('{previous}', previous?.id ?? '');
    this.patch(d.id!, { rolloutState: 'FAILED', rolloutStateReason: reason });
    this.event(`(deployment ${d.id}) deployment failed: alarm detected.`);
    if (!this.alarms?.rollback || !previous?.taskDefinition) return;
    const td = previous.taskDefinition;
    const start = () => {
      const failed = this.primary()!;
      this.startDeployment(td, true);
      this.service.deployments = [...(this.service.deployments ?? []), { ...failed, status: 'ACTIVE' }];
    };
    if (this.alarmRollbackLooks > 0) this.alarmRollback = { looks: this.alarmRollbackLooks, start };
    else start();
  }
}
