import { createHash } from 'node:crypto';
import { describeClusters, describeServices, describeTasks, listTasks } from './ecs/describe.js';
import { describeImages, imageByReference, imageNamedIn, initialImages, resolveImage } from './ecs/images.js';
import {
  ACCOUNT,
  REGION,
  type SimDeployment,
  type SimImage,
  type SimService,
  type SimTask,
  now,
} from './ecs/model.js';
import { type RolloutContext, stepRollout } from './ecs/rollout.js';
import { firstTaskDefinition, initialServices } from './ecs/seed.js';
import { TaskDefinitions } from './ecs/taskDefinitions.js';
import { AwsError } from './errors.js';

export { ACCOUNT, REGION, type SimImage } from './ecs/model.js';

/**
 * ECR and ECS for the sandbox: repositories of tagged images, clusters, services and task
 * definitions, and rolling deployments that move one step per tick. A broken image's tasks stop
 * with a reason until the circuit breaker fails the rollout, and ECS rolls back by itself. The
 * rollout is in ecs/rollout.ts, the images in ecs/images.ts, the Describe answers in ecs/describe.ts.
 */
export class SimEcs {
  readonly images = new Map<string, SimImage[]>();
  private readonly registry = new TaskDefinitions();
  readonly taskDefs = this.registry.byArn;
  readonly services = new Map<string, SimService>();
  readonly tasks: SimTask[] = [];
  private seq = 0;
  /** Set by SimServiceDeployments: UpdateService on a BLUE_GREEN or LINEAR service starts a service deployment. */
  onProgressiveUpdate:
    | ((cluster: string, service: string, strategy: string, td: string, previous: string) => string)
    | undefined;
  /** Failed tasks before the circuit breaker trips (ECS uses at least 10; the sandbox is impatient). */
  breakerThreshold = 3;
  private readonly rollout: RolloutContext = {
    tasks: this.tasks,
    breakerThreshold: () => this.breakerThreshold,
    imageOf: (td) => this.imageOf(td),
    repositoryUri: (repo) => this.repositoryUri(repo),
    event: (s, message) => this.event(s, message),
    taskId: () => this.taskId(),
    deploymentId: () => this.deploymentId(),
  };

  constructor() {
    this.images.set('todobackend', initialImages());
    const arn = this.registry.register(firstTaskDefinition(this.repositoryUri('todobackend')), [
      { key: 'Version', value: '1.2.2' },
    ]);
    for (const s of initialServices(arn, () => this.deploymentId())) {
      this.services.set(s.name, s);
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

  private event(s: SimService, message: string): void {
    this.seq += 1;
    s.events.unshift({ id: `ev-${this.seq}`, createdAt: now(), message: `(service ${s.name}) ${message}` });
    s.events.length = Math.min(s.events.length, 100);
  }

  /**
   * The image an ECR reference names (`ACCT.dkr.ecr.R.amazonaws.com/repo:tag` or `…/repo@sha256:…`),
   * if the repository holds it.
   */
  resolveImage(ref: string): SimImage | undefined {
    return resolveImage(this.images, ref);
  }

  /** The image whose tag a text (an S3 key, a file name) names; the longest tag wins. */
  imageNamedIn(text: string, repo = 'todobackend'): SimImage | undefined {
    return imageNamedIn(this.images, text, repo);
  }

  /** The image of a task definition's `app` container. */
  imageOf(taskDefinition: string): SimImage | undefined {
    const td = this.taskDefs.get(taskDefinition)?.taskDefinition as
      { containerDefinitions?: { name: string; image: string }[] } | undefined;
    return imageByReference(
      this.images,
      td?.containerDefinitions?.find((c) => c.name === 'app')?.image ?? '',
    );
  }

  /** Moves every rollout in progress one step. */
  tick(): void {
    for (const s of this.services.values()) stepRollout(this.rollout, s);
  }

  private taskId(): string {
    this.seq += 1;
    return createHash('md5').update(String(this.seq)).digest('hex');
  }

  // --- API operations, by their wire names ---

  DescribeImages(input: { repositoryName: string; imageIds?: { imageTag?: string }[]; maxResults?: number }) {
    return describeImages(this.images, input);
  }

  DescribeClusters(input: { clusters: string[] }) {
    return describeClusters(this.services, input);
  }

  DescribeServices(input: { cluster: string; services: string[] }) {
    return describeServices(this.services, input);
  }

  DescribeTaskDefinition(input: { taskDefinition: string; include?: string[] }) {
    return this.registry.describe(input);
  }

  RegisterTaskDefinition(input: Record<string, unknown> & { tags?: { key: string; value: string }[] }) {
    return this.registry.registerFromApi(input);
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
    if (input.taskDefinition && !this.registry.find(input.taskDefinition))
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
    return listTasks(this.tasks, input);
  }

  DescribeTasks(input: { tasks: string[] }) {
    return describeTasks(this.tasks, input);
  }
}
