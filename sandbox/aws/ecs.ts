import { createHash } from 'node:crypto';
import { AwsError } from './errors.js';

export const ACCOUNT = '000000000000';
export const REGION = 'us-east-1';

export interface SimImage {
  readonly tag: string;
  readonly digest: string;
  readonly pushedAt: Date;
  /** Tasks from this image never start: the sandbox's "broken build". */
  readonly broken: boolean;
}

interface SimDeployment {
  id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  taskDefinition: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  failedTasks: number;
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason: string;
  createdAt: Date;
  updatedAt: Date;
}

interface SimService {
  name: string;
  cluster: string;
  desiredCount: number;
  taskDefinition: string;
  /** CODE_DEPLOY: CodeDeploy replaces the task set; UpdateService cannot change the task definition. */
  controller: 'ECS' | 'CODE_DEPLOY';
  /** BLUE_GREEN or LINEAR: deployed as ECS service deployments (serviceDeployments.ts). */
  strategy?: 'BLUE_GREEN' | 'LINEAR';
  deployments: SimDeployment[];
  events: { id: string; createdAt: Date; message: string }[];
  /** A broken build's tasks start here, and answer errors once they take traffic (see cloudwatch.ts). */
  latent?: boolean;
}

interface SimTask {
  taskArn: string;
  taskDefinitionArn: string;
  lastStatus: string;
  desiredStatus: string;
  stoppedReason?: string;
  stoppedAt?: Date;
  group: string;
  containers: { name: string; lastStatus: string; reason?: string; exitCode?: number }[];
}

const digestOf = (tag: string) => `sha256:${createHash('sha256').update(`todobackend:${tag}`).digest('hex')}`;
const now = () => new Date();

/**
 * ECR and ECS for the sandbox: repositories of tagged images, clusters, services and task
 * definitions, and rolling deployments that move one step per tick. A broken image's tasks stop
 * with a reason until the circuit breaker fails the rollout, and ECS rolls back by itself.
 */
export class SimEcs {
  readonly images = new Map<string, SimImage[]>();
  readonly taskDefs = new Map<
    string,
    { taskDefinition: Record<string, unknown>; tags: { key: string; value: string }[] }
  >();
  readonly services = new Map<string, SimService>();
  readonly tasks: SimTask[] = [];
  private revisions = new Map<string, number>();
  private seq = 0;
  /** Set by SimServiceDeployments: UpdateService on a BLUE_GREEN or LINEAR service starts a service deployment. */
  onProgressiveUpdate:
    | ((cluster: string, service: string, strategy: string, td: string, previous: string) => string)
    | undefined;
  /** Failed tasks before the circuit breaker trips (ECS uses at least 10; the sandbox is impatient). */
  breakerThreshold = 3;

  constructor() {
    const tags = ['1.2.0', '1.2.1', '1.2.2', '1.2.3', '1.3.0', '1.2.4-broken'];
    this.images.set(
      'todobackend',
      tags.map((tag, i) => ({
        tag,
        digest: digestOf(tag),
        pushedAt: new Date(Date.UTC(2026, 10, 10 + i, 9, 30)),
        broken: tag.endsWith('-broken'),
      })),
    );
    const arn = this.register(
      {
        family: 'todobackend',
        taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/todobackend-task`,
        executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/todobackend-execution`,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          {
            name: 'app',
            image: `${this.repositoryUri('todobackend')}@${digestOf('1.2.2')}`,
            essential: true,
            portMappings: [{ containerPort: 8000, protocol: 'tcp' }],
            environment: [{ name: 'DJANGO_SETTINGS_MODULE', value: 'todobackend.settings_release' }],
            logConfiguration: {
              logDriver: 'awslogs',
              options: {
                'awslogs-group': '/ecs/todobackend',
                'awslogs-region': REGION,
                'awslogs-stream-prefix': 'app',
              },
            },
          },
        ],
      },
      [{ key: 'Version', value: '1.2.2' }],
    );
    const first: SimDeployment = {
      id: this.deploymentId(),
      status: 'PRIMARY',
      taskDefinition: arn,
      desiredCount: 2,
      runningCount: 2,
      pendingCount: 0,
      failedTasks: 0,
      rolloutState: 'COMPLETED',
      rolloutStateReason: 'ECS deployment completed.',
      createdAt: new Date(Date.now() - 86_400_000),
      updatedAt: new Date(Date.now() - 86_000_000),
    };
    this.services.set('todobackend-dev', {
      name: 'todobackend-dev',
      cluster: 'todobackend-dev',
      desiredCount: 2,
      taskDefinition: arn,
      controller: 'ECS',
      deployments: [first],
      events: [],
    });
    this.event(this.services.get('todobackend-dev')!, 'has reached a steady state.');
    // The service CodeDeploy's blue/green group deploys (see codedeploy.ts).
    this.services.set('todobackend-bg', {
      name: 'todobackend-bg',
      cluster: 'todobackend-bg',
      desiredCount: 2,
      taskDefinition: arn,
      controller: 'CODE_DEPLOY',
      deployments: [{ ...first, id: this.deploymentId() }],
      events: [],
    });
    this.event(this.services.get('todobackend-bg')!, 'has reached a steady state.');
    // Services ECS deploys itself, stage by stage (see serviceDeployments.ts).
    for (const [name, strategy] of [
      ['todobackend-green', 'BLUE_GREEN'],
      ['todobackend-linear', 'LINEAR'],
    ] as const) {
      const s: SimService = {
        name,
        cluster: 'todobackend-dev',
        desiredCount: 2,
        taskDefinition: arn,
        controller: 'ECS',
        strategy,
        deployments: [{ ...first, id: this.deploymentId() }],
        events: [],
      };
      this.services.set(name, s);
      this.event(s, 'has reached a steady state.');
    }
  }

  /** A service deployment ended: the service runs `taskDefinition`, steady. */
  settle(service: string, taskDefinition: string): void {
    const s = this.services.get(service);
    const d = s?.deployments[0];
    if (!s || !d) return;
    s.taskDefinition = taskDefinition;
    s.deployments = [
      {
        ...d,
        status: 'PRIMARY',
        taskDefinition,
        runningCount: s.desiredCount,
        pendingCount: 0,
        rolloutState: 'COMPLETED',
        updatedAt: now(),
      },
    ];
    this.event(s, 'has reached a steady state.');
  }

  /** CodeDeploy moved production traffic to a replacement task set running this task definition. */
  replaceTaskSet(cluster: string, service: string, taskDefinition: string): void {
    const s = this.services.get(service);
    if (!s || s.cluster !== cluster) return;
    const [was] = s.deployments;
    s.taskDefinition = taskDefinition;
    s.deployments = [
      {
        id: this.deploymentId(),
        status: 'PRIMARY',
        taskDefinition,
        desiredCount: s.desiredCount,
        runningCount: was?.runningCount ?? s.desiredCount,
        pendingCount: 0,
        failedTasks: 0,
        rolloutState: 'COMPLETED',
        rolloutStateReason: 'CodeDeploy rerouted production traffic to the replacement task set.',
        createdAt: now(),
        updatedAt: now(),
      },
    ];
    this.event(s, 'has reached a steady state.');
  }

  /** Another rolling service on dev's cluster, steady on the version dev starts on. */
  addService(name: string, latent: boolean): void {
    const dev = this.services.get('todobackend-dev')!;
    const [first] = dev.deployments.slice(-1);
    const s: SimService = {
      name,
      cluster: dev.cluster,
      desiredCount: dev.desiredCount,
      taskDefinition: dev.taskDefinition,
      controller: 'ECS',
      deployments: first ? [{ ...first, taskDefinition: dev.taskDefinition, id: this.deploymentId() }] : [],
      events: [],
      latent,
    };
    this.services.set(name, s);
    this.event(s, 'has reached a steady state.');
  }

  /** The image a service's primary deployment runs, and whether that rollout is complete. */
  running(service: string): { image: SimImage | undefined; completed: boolean } | undefined {
    const d = this.services.get(service)?.deployments.find((x) => x.status === 'PRIMARY');
    return d && { image: this.imageOf(d.taskDefinition), completed: d.rolloutState === 'COMPLETED' };
  }

  repositoryUri(repo: string): string {
    return `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${repo}`;
  }

  private deploymentId(): string {
    this.seq += 1;
    return `ecs-svc/44018${String(this.seq).padStart(14, '0')}`;
  }

  private register(td: Record<string, unknown>, tags: { key: string; value: string }[]): string {
    const family = String(td.family);
    const rev = (this.revisions.get(family) ?? 40) + 1;
    this.revisions.set(family, rev);
    const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${rev}`;
    this.taskDefs.set(arn, {
      taskDefinition: {
        ...td,
        taskDefinitionArn: arn,
        revision: rev,
        status: 'ACTIVE',
        compatibilities: ['EC2', 'FARGATE'],
        registeredAt: now(),
        registeredBy: `arn:aws:sts::${ACCOUNT}:assumed-role/capstan/sandbox`,
      },
      tags,
    });
    return arn;
  }

  private event(s: SimService, message: string): void {
    this.seq += 1;
    s.events.unshift({ id: `ev-${this.seq}`, createdAt: now(), message: `(service ${s.name}) ${message}` });
    s.events.length = Math.min(s.events.length, 100);
  }

  private findTaskDef(ref: string) {
    const byArn = this.taskDefs.get(ref);
    if (byArn) return byArn;
    const [family, rev] = ref.split('/').pop()!.split(':');
    const wanted = rev ? Number(rev) : this.revisions.get(family ?? '');
    return this.taskDefs.get(`arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${wanted}`);
  }

  /**
   * The image an ECR reference names (`ACCT.dkr.ecr.R.amazonaws.com/repo:tag` or `…/repo@sha256:…`),
   * if the repository holds it.
   */
  resolveImage(ref: string): SimImage | undefined {
    const at = ref.lastIndexOf('@');
    const path = at >= 0 ? ref.slice(0, at) : ref;
    const colon = path.lastIndexOf(':');
    const tagged = colon > path.lastIndexOf('/');
    const repo = (tagged ? path.slice(0, colon) : path).split('/').pop() ?? '';
    const images = this.images.get(repo) ?? [];
    if (at >= 0) return images.find((i) => i.digest === ref.slice(at + 1));
    return tagged ? images.find((i) => i.tag === path.slice(colon + 1)) : undefined;
  }

  /** The image whose tag a text (an S3 key, a file name) names; the longest tag wins. */
  imageNamedIn(text: string, repo = 'todobackend'): SimImage | undefined {
    return (this.images.get(repo) ?? [])
      .filter((i) => text.includes(i.tag))
      .sort((a, b) => b.tag.length - a.tag.length)[0];
  }

  /** The image of a task definition's `app` container. */
  imageOf(taskDefinition: string): SimImage | undefined {
    const td = this.taskDefs.get(taskDefinition)?.taskDefinition as
      { containerDefinitions?: { name: string; image: string }[] } | undefined;
    const image = td?.containerDefinitions?.find((c) => c.name === 'app')?.image ?? '';
    return [...this.images.values()]
      .flat()
      .find((i) => image.endsWith(i.digest) || image.endsWith(`:${i.tag}`));
  }

  /** Moves every rollout in progress one step. */
  tick(): void {
    for (const s of this.services.values()) {
      const d = s.deployments.find((x) => x.status === 'PRIMARY');
      if (!d || d.rolloutState !== 'IN_PROGRESS') continue;
      d.updatedAt = now();
      const image = this.imageOf(d.taskDefinition);
      if (image?.broken && !s.latent) {
        if (d.pendingCount === 0) {
          d.pendingCount = d.desiredCount;
          this.event(
            s,
            `has started ${d.desiredCount} tasks: ${Array.from({ length: d.desiredCount }, () => `(task ${this.taskId()})`).join(' ')}.`,
          );
          continue;
        }
        this.stopTask(
          s,
          d.taskDefinition,
          `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${this.repositoryUri('todobackend')}:${image.tag}: not found`,
        );
        d.failedTasks += 1;
        if (d.failedTasks >= this.breakerThreshold) this.tripBreaker(s, d);
        continue;
      }
      if (d.runningCount + d.pendingCount < d.desiredCount) {
        const n = d.desiredCount - d.runningCount - d.pendingCount;
        d.pendingCount += n;
        this.event(
          s,
          `has started ${n} tasks: ${Array.from({ length: n }, () => `(task ${this.taskId()})`).join(' ')}.`,
        );
      } else if (d.pendingCount > 0) {
        d.pendingCount -= 1;
        d.runningCount += 1;
      } else {
        const old = s.deployments.filter((x) => x !== d);
        if (old.some((x) => x.runningCount > 0)) {
          for (const o of old) o.runningCount = 0;
          this.event(
            s,
            `has stopped ${old.length > 0 ? 2 : 0} running tasks: (task ${this.taskId()}) (task ${this.taskId()}).`,
          );
          this.event(s, `deployment ${d.id} deployment completed.`);
          continue;
        }
        d.rolloutState = 'COMPLETED';
        d.rolloutStateReason = `ECS deployment ${d.id} completed.`;
        s.deployments = [d];
        this.event(s, 'has reached a steady state.');
      }
    }
  }

  private taskId(): string {
    this.seq += 1;
    return createHash('md5').update(String(this.seq)).digest('hex');
  }

  private stopTask(s: SimService, taskDefinition: string, reason: string): void {
    const id = this.taskId();
    this.tasks.push({
      taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${s.cluster}/${id}`,
      taskDefinitionArn: taskDefinition,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stoppedReason: reason,
      stoppedAt: now(),
      group: `service:${s.name}`,
      containers: [{ name: 'app', lastStatus: 'STOPPED', reason: reason.split(':')[0] }],
    });
    this.event(s, `has stopped 1 running tasks: (task ${id}).`);
  }

  private tripBreaker(s: SimService, failed: SimDeployment): void {
    const previous = s.deployments.find((x) => x.status === 'ACTIVE');
    failed.rolloutState = 'FAILED';
    failed.rolloutStateReason = previous
      ? `ECS deployment circuit breaker: rolling back to deploymentId ${previous.id}.`
      : 'ECS deployment circuit breaker: task failed to start.';
    failed.pendingCount = 0;
    if (!previous) return;
    // The circuit breaker's rollback: a new deployment of the last completed task definition.
    failed.status = 'ACTIVE';
    const rollback: SimDeployment = {
      ...previous,
      id: this.deploymentId(),
      status: 'PRIMARY',
      runningCount: previous.runningCount,
      pendingCount: 0,
      failedTasks: 0,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: 'ECS deployment rolling back.',
      createdAt: now(),
      updatedAt: now(),
    };
    s.deployments = [rollback, failed, ...s.deployments.filter((x) => x !== failed && x !== previous)];
    s.taskDefinition = rollback.taskDefinition;
    this.event(
      s,
      `(deployment ${failed.id}) deployment failed: ECS deployment circuit breaker: tasks failed to start.`,
    );
    this.event(s, `rolling back to deployment ${previous.id}.`);
  }

  // --- API operations, by their wire names ---

  DescribeImages(input: { repositoryName: string; imageIds?: { imageTag?: string }[]; maxResults?: number }) {
    const repo = this.images.get(input.repositoryName);
    if (!repo)
      throw new AwsError(
        'RepositoryNotFoundException',
        `The repository with name '${input.repositoryName}' does not exist in the registry with id '${ACCOUNT}'`,
      );
    const detail = (i: SimImage) => ({
      registryId: ACCOUNT,
      repositoryName: input.repositoryName,
      imageDigest: i.digest,
      imageTags: [i.tag],
      imagePushedAt: i.pushedAt.getTime() / 1000,
      imageSizeInBytes: 48_000_000,
    });
    if (input.imageIds?.length) {
      const tag = input.imageIds[0]?.imageTag;
      const img = repo.find((i) => i.tag === tag);
      if (!img)
        throw new AwsError(
          'ImageNotFoundException',
          `The image with imageId {imageDigest:'null', imageTag:'${tag}'} does not exist within the repository with name '${input.repositoryName}' in the registry with id '${ACCOUNT}'`,
        );
      return { imageDetails: [detail(img)] };
    }
    return { imageDetails: repo.map(detail) };
  }

  DescribeClusters(input: { clusters: string[] }) {
    const known = new Set([...this.services.values()].map((s) => s.cluster));
    return {
      clusters: input.clusters
        .filter((c) => known.has(c))
        .map((c) => ({
          clusterName: c,
          clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${c}`,
          status: 'ACTIVE',
        })),
      failures: input.clusters.filter((c) => !known.has(c)).map((c) => ({ arn: c, reason: 'MISSING' })),
    };
  }

  DescribeServices(input: { cluster: string; services: string[] }) {
    if (input.services.length > 10)
      throw new AwsError('InvalidParameterException', 'services can have at most 10 items.');
    const found = input.services
      .map((n) => this.services.get(n))
      .filter((s): s is SimService => s !== undefined && s.cluster === input.cluster);
    return {
      services: found.map((s) => {
        const running = s.deployments.reduce((n, d) => n + d.runningCount, 0);
        const pending = s.deployments.reduce((n, d) => n + d.pendingCount, 0);
        return {
          serviceName: s.name,
          serviceArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${s.cluster}/${s.name}`,
          clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${s.cluster}`,
          status: 'ACTIVE',
          desiredCount: s.desiredCount,
          runningCount: running,
          pendingCount: pending,
          launchType: 'FARGATE',
          taskDefinition: s.taskDefinition,
          deploymentController: { type: s.controller },
          deploymentConfiguration: {
            maximumPercent: 200,
            minimumHealthyPercent: 100,
            deploymentCircuitBreaker: { enable: true, rollback: true },
            ...(s.strategy ? { strategy: s.strategy, bakeTimeInMinutes: 1 } : {}),
          },
          deployments: s.deployments.map((d) => ({
            ...d,
            createdAt: d.createdAt.getTime() / 1000,
            updatedAt: d.updatedAt.getTime() / 1000,
            launchType: 'FARGATE',
          })),
          events: s.events.map((e) => ({ ...e, createdAt: e.createdAt.getTime() / 1000 })),
        };
      }),
      failures: input.services
        .filter((n) => !found.some((s) => s.name === n))
        .map((n) => ({
          arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${input.cluster}/${n}`,
          reason: 'MISSING',
        })),
    };
  }

  DescribeTaskDefinition(input: { taskDefinition: string; include?: string[] }) {
    const td = this.findTaskDef(input.taskDefinition);
    if (!td) throw new AwsError('ClientException', 'Unable to describe task definition.');
    const t = td.taskDefinition as { registeredAt: Date };
    return {
      taskDefinition: { ...td.taskDefinition, registeredAt: t.registeredAt.getTime() / 1000 },
      ...(input.include?.includes('TAGS') ? { tags: td.tags } : {}),
    };
  }

  RegisterTaskDefinition(input: Record<string, unknown> & { tags?: { key: string; value: string }[] }) {
    for (const readOnly of [
      'taskDefinitionArn',
      'revision',
      'status',
      'requiresAttributes',
      'compatibilities',
      'registeredAt',
      'registeredBy',
    ]) {
      if (readOnly in input)
        throw new AwsError('ClientException', `Unexpected key '${readOnly}' found in params`);
    }
    const { tags, ...td } = input;
    const arn = this.register(td, tags ?? []);
    return { taskDefinition: this.DescribeTaskDefinition({ taskDefinition: arn }).taskDefinition, tags };
  }

  UpdateService(input: { cluster: string; service: string; taskDefinition?: string }) {
    const s = this.services.get(input.service);
    if (!s || s.cluster !== input.cluster)
      throw new AwsError('ServiceNotFoundException', 'Service not found.');
    if (input.taskDefinition && s.controller === 'CODE_DEPLOY')
      throw new AwsError(
        'InvalidParameterException',
        'Unable to update task definition on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.',
      );
    if (input.taskDefinition && !this.findTaskDef(input.taskDefinition))
      throw new AwsError('ClientException', 'TaskDefinition not found.');
    const td = input.taskDefinition ?? s.taskDefinition;
    const current = s.strategy
      ? this.onProgressiveUpdate?.(s.cluster, s.name, s.strategy, td, s.taskDefinition)
      : undefined;
    for (const d of s.deployments) if (d.status === 'PRIMARY') d.status = 'ACTIVE';
    const d: SimDeployment = {
      id: this.deploymentId(),
      status: 'PRIMARY',
      taskDefinition: td,
      desiredCount: s.desiredCount,
      runningCount: 0,
      pendingCount: 0,
      failedTasks: 0,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: 'ECS deployment in progress.',
      createdAt: now(),
      updatedAt: now(),
    };
    s.deployments.unshift(d);
    s.taskDefinition = td;
    const service = this.DescribeServices({ cluster: s.cluster, services: [s.name] }).services[0];
    return { service: current ? { ...service, currentServiceDeployment: current } : service };
  }

  ListTasks(input: { cluster: string; serviceName?: string; desiredStatus?: string }) {
    return {
      taskArns: this.tasks
        .filter(
          (t) =>
            t.group === `service:${input.serviceName}` &&
            (!input.desiredStatus || t.desiredStatus === input.desiredStatus),
        )
        .slice(-100)
        .map((t) => t.taskArn),
    };
  }

  DescribeTasks(input: { tasks: string[] }) {
    return {
      tasks: this.tasks
        .filter((t) => input.tasks.includes(t.taskArn))
        .map((t) => ({ ...t, stoppedAt: t.stoppedAt ? t.stoppedAt.getTime() / 1000 : undefined })),
      failures: [],
    };
  }
}
