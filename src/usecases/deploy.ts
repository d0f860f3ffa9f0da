import type { EcsTarget, Environment } from '../domain/catalog.js';
import type { Deployment, DeploymentKind } from '../domain/deployment.js';
import { CapstanError } from '../domain/errors.js';
import {
  ContainerNotFound,
  type TaskDefinitionDocument,
  diffTaskDefinitions,
  nextRevision,
  runningVersion,
} from '../domain/taskDefinition.js';
import { newId } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import type { Directory } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import type { Ecs, EcsService } from '../ports/ecs.js';
import type { DeployNotifier } from '../ports/notifier.js';
import type { ImageDetails, Registry } from '../ports/registry.js';
import type { Store } from '../ports/store.js';
import { requireDeployer } from './access.js';
import { newWatch } from './rollout/evaluate.js';
import { describeLock } from './lock.js';

export interface DeployDeps {
  readonly store: Store;
  readonly ecs: Ecs;
  readonly registry: Registry;
  readonly directory: Directory;
  readonly notifier: DeployNotifier;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Hands a started rollout to the poller. */
  readonly follow: (d: Deployment) => void;
}

export interface EcsPlan {
  readonly env: Environment;
  readonly target: EcsTarget;
  readonly service: EcsService;
  readonly image: ImageDetails;
  readonly current: TaskDefinitionDocument;
  readonly next: TaskDefinitionDocument;
  readonly fromVersion?: string | undefined;
  readonly diff: readonly string[];
}

export function ecsTarget(env: Environment): EcsTarget {
  if (env.target.kind !== 'ecs')
    throw new CapstanError('invalid_state', `${env.app}/${env.name} is not an ECS environment.`);
  return env.target;
}

/** The tag must exist in the environment's repository; if not, say which tags do. */
export async function requireImage(
  registry: Registry,
  region: string,
  repository: string,
  version: string,
): Promise<ImageDetails> {
  const image = await registry.findImage(region, repository, version);
  if (image) return image;
  const recent = await registry.recentTags(region, repository, 5).catch(() => []);
  throw new CapstanError(
    'image_not_found',
    `There is no image tagged \`${version}\` in ECR repository ${repository} (${region}).` +
      (recent.length > 0
        ? ` Most recently pushed: ${recent.map((t) => `\`${t}\``).join(', ')}.`
        : ' The repository has no tagged images.'),
  );
}

export async function requireUnlocked(store: Store, env: Environment): Promise<void> {
  const lock = await store.getLock(env.app, env.name);
  if (lock) throw new CapstanError('locked', `${env.app}/${env.name} is ${describeLock(lock)}.`);
}

export async function requireIdle(store: Store, env: Environment): Promise<void> {
  const d = await store.inFlightFor(env.app, env.name);
  if (d) {
    throw new CapstanError(
      'conflict',
      `${env.app}/${env.name} already has a ${d.kind} of \`${d.toVersion}\` in flight (by <@${d.requestedBy}>, \`${d.id}\`). Wait for it to finish.`,
    );
  }
}

/** What the service runs now: the service itself and the task definition revision it points at. */
export interface RunningService {
  readonly service: EcsService;
  readonly current: TaskDefinitionDocument;
}

export async function readRunning(ecs: Ecs, target: EcsTarget): Promise<RunningService> {
  const described = await ecs.describeServices(target, [target.service]);
  const service = described.services[0];
  if (!service) {
    throw new CapstanError(
      'not_found',
      `ECS service ${target.service} was not found in cluster ${target.cluster} (${target.region}).`,
    );
  }
  if (service.status !== 'ACTIVE') {
    throw new CapstanError(
      'invalid_state',
      `ECS service ${target.service} is ${service.status}, not ACTIVE.`,
    );
  }
  // The revision the service runs now, not the newest one in the family.
  return { service, current: await ecs.describeTaskDefinition(target.region, service.taskDefinition) };
}

/** Every read a deploy needs, and every reason to refuse it, before anything changes. */
export async function planEcsDeploy(
  deps: Pick<DeployDeps, 'store' | 'ecs' | 'registry'>,
  env: Environment,
  version: string,
  requestedBy: string,
  options: { readonly checkIdle?: boolean; readonly running?: RunningService } = {},
): Promise<EcsPlan> {
  const target = ecsTarget(env);
  await requireUnlocked(deps.store, env);
  if (options.checkIdle !== false) await requireIdle(deps.store, env);
  const [image, clusterStatus, { service, current }] = await Promise.all([
    requireImage(deps.registry, target.region, target.repository, version),
    deps.ecs.clusterStatus(target),
    options.running ?? readRunning(deps.ecs, target),
  ]);
  if (clusterStatus !== 'ACTIVE') {
    throw new CapstanError(
      'invalid_state',
      `ECS cluster ${target.cluster} (${target.region}) is ${clusterStatus ?? 'missing'}, not ACTIVE.`,
    );
  }
  const busy = service.deployments.find((d) => d.rolloutState === 'IN_PROGRESS');
  if (busy && options.checkIdle !== false) {
    throw new CapstanError(
      'conflict',
      `ECS service ${target.service} is already rolling out ${busy.id}; wait until it finishes.`,
    );
  }
  let next: TaskDefinitionDocument;
  try {
    next = nextRevision(current, {
      container: target.container,
      image: `${image.repositoryUri}@${image.digest}`,
      version,
      requestedBy,
    });
  } catch (e) {
    if (e instanceof ContainerNotFound) {
      throw new CapstanError(
        'invalid_state',
        `Task definition ${service.taskDefinition} has no container "${e.container}" (it has ${e.available.join(', ')}); fix \`container\` in capstan.yml.`,
      );
    }
    throw e;
  }
  return {
    env,
    target,
    service,
    image,
    current,
    next,
    fromVersion: runningVersion(current, target.container),
    diff: diffTaskDefinitions(current.taskDefinition, next.taskDefinition),
  };
}

export function newDeployment(
  env: Environment,
  kind: DeploymentKind,
  version: string,
  requestedBy: string,
  now: number,
  extra: Partial<Deployment> = {},
): Deployment {
  return {
    id: newId(kind === 'release' ? 'r' : 'd'),
    rev: 0,
    kind,
    app: env.app,
    env: env.name,
    requestedBy,
    toVersion: version,
    state: 'checking',
    channel: env.channel,
    createdAt: now,
    updatedAt: now,
    approvals: [],
    ...extra,
  };
}

/** Writes a new state, retrying on a concurrent write; returns the stored record. */
export async function save(
  store: Store,
  d: Deployment,
  change: Partial<Deployment>,
  now: number,
): Promise<Deployment> {
  let cur = d;
  for (let attempt = 0; attempt < 5; attempt++) {
    const written = await store.update({ ...cur, ...change, updatedAt: now });
    if (written) return written;
    const fresh = await store.get(d.id);
    if (!fresh) throw new Error(`deployment ${d.id} vanished`);
    cur = fresh;
  }
  throw new Error(`could not record ${d.id} after 5 attempts`);
}

export async function showAndRecord(
  deps: Pick<DeployDeps, 'store' | 'notifier' | 'clock' | 'logger'>,
  d: Deployment,
): Promise<Deployment> {
  try {
    const shown = await deps.notifier.show(d);
    if (shown && shown.messageTs !== d.messageTs) {
      return save(
        deps.store,
        d,
        { messageTs: shown.messageTs, permalink: shown.permalink },
        deps.clock.now(),
      );
    }
  } catch (e) {
    deps.logger.warn('could not show deployment in Slack', {
      id: d.id,
      error: e instanceof Error ? e.message : String(e),
    });
  }
  return d;
}

/** Registers the next revision and points the service at it; the poller follows from there. */
export async function applyEcsPlan(
  deps: DeployDeps,
  d: Deployment,
  plan: EcsPlan,
  phase: 'rollout' | 'rollback' = 'rollout',
): Promise<Deployment> {
  const arn = await deps.ecs.registerTaskDefinition(plan.target.region, plan.next);
  let cur = await save(
    deps.store,
    d,
    phase === 'rollout' ? { taskDefinitionArn: arn } : {},
    deps.clock.now(),
  );
  const deploymentId = await deps.ecs.updateService(plan.target, plan.target.service, arn);
  const now = deps.clock.now();
  cur = await save(
    deps.store,
    cur,
    {
      state: phase === 'rollout' ? 'rolling_out' : 'rolling_back',
      watch: newWatch(phase, arn, deploymentId, now),
    },
    now,
  );
  deps.notifier.detail(cur, [
    `${phase === 'rollout' ? 'Registered' : 'Rollback: registered'} \`${arn.split('/').pop()}\` with \`${plan.image.repositoryUri.split('/').pop()}@${plan.image.digest.slice(0, 19)}…\` (tag \`${plan.image.tag}\`); ECS deployment \`${deploymentId}\` started.`,
  ]);
  cur = await showAndRecord(deps, cur);
  deps.follow(cur);
  return cur;
}

export type DeployResult =
  | { readonly kind: 'dry_run'; readonly plan: EcsPlan }
  | { readonly kind: 'started'; readonly deployment: Deployment }
  | { readonly kind: 'awaiting_approval'; readonly deployment: Deployment };

/** Starts the plan, or, where the environment needs approvals, records it and asks for them. */
export async function gateOrStart(
  deps: DeployDeps,
  env: Environment,
  plan: EcsPlan,
  kind: DeploymentKind,
  requestedBy: string,
): Promise<DeployResult> {
  if (env.policy.approvals === 0)
    return { kind: 'started', deployment: await startPlanned(deps, env, plan, kind, requestedBy) };
  const now = deps.clock.now();
  const d = newDeployment(env, kind, plan.image.tag, requestedBy, now, {
    state: 'awaiting_approval',
    fromVersion: plan.fromVersion,
    imageDigest: plan.image.digest,
    previousTaskDefinitionArn: plan.service.taskDefinition,
    ecsPlan: { diff: plan.diff },
    expiresAt: now + env.policy.approvalTtlMs,
  });
  await deps.store.create(d);
  return { kind: 'awaiting_approval', deployment: await showAndRecord(deps, d) };
}

/** `/deploy <app> <version> [to <env>]` on an ECS environment. */
export async function deployToEcs(
  deps: DeployDeps,
  env: Environment,
  version: string,
  requestedBy: string,
  options: { readonly dryRun: boolean; readonly kind?: DeploymentKind },
): Promise<DeployResult> {
  await requireDeployer(deps.directory, env, requestedBy);
  const plan = await planEcsDeploy(deps, env, version, requestedBy);
  if (options.dryRun) return { kind: 'dry_run', plan };
  return gateOrStart(deps, env, plan, options.kind ?? 'deploy', requestedBy);
}

export async function startPlanned(
  deps: DeployDeps,
  env: Environment,
  plan: EcsPlan,
  kind: DeploymentKind,
  requestedBy: string,
  existing?: Deployment,
): Promise<Deployment> {
  const now = deps.clock.now();
  let d: Deployment;
  if (existing) {
    d = await save(
      deps.store,
      existing,
      {
        state: 'checking',
        fromVersion: plan.fromVersion,
        imageDigest: plan.image.digest,
        previousTaskDefinitionArn: plan.service.taskDefinition,
      },
      now,
    );
  } else {
    d = newDeployment(env, kind, plan.image.tag, requestedBy, now, {
      fromVersion: plan.fromVersion,
      imageDigest: plan.image.digest,
      previousTaskDefinitionArn: plan.service.taskDefinition,
    });
    // The atomic guard: a second deploy racing this one fails here, before anything changes.
    await deps.store.create(d);
  }
  d = await showAndRecord(deps, d);
  try {
    return await applyEcsPlan(deps, d, plan);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    const failed = await save(
      deps.store,
      d,
      { state: 'failed', reason, finishedAt: deps.clock.now() },
      deps.clock.now(),
    );
    await showAndRecord(deps, failed);
    throw e;
  }
}
