import {
  ACCOUNT,
  REGION,
  type SimDeployment,
  type SimImage,
  type SimService,
  type SimTask,
  now,
} from './model.js';

/**
 * A rolling ECS deployment, one step per tick: tasks start, then run, then the old ones stop. A
 * broken image's tasks stop with a reason until the circuit breaker fails the rollout, and ECS rolls
 * back by itself.
 */

/** What a rollout step reads and changes in the simulated ECS. */
export interface RolloutContext {
  readonly tasks: SimTask[];
  readonly breakerThreshold: () => number;
  readonly imageOf: (taskDefinition: string) => SimImage | undefined;
  readonly repositoryUri: (repo: string) => string;
  readonly event: (s: SimService, message: string) => void;
  readonly taskId: () => string;
  readonly deploymentId: () => string;
}

const started = (c: RolloutContext, n: number) =>
  `has started ${n} tasks: ${Array.from({ length: n }, () => `(task ${c.taskId()})`).join(' ')}.`;

/** Moves the service's rollout one step, if one is in progress. */
export function stepRollout(c: RolloutContext, s: SimService): void {
  const d = s.deployments.find((x) => x.status === 'PRIMARY');
  if (!d || d.rolloutState !== 'IN_PROGRESS') return;
  d.updatedAt = now();
  const image = c.imageOf(d.taskDefinition);
  if (image?.broken && !s.latent) return stepBroken(c, s, d, image);
  if (d.runningCount + d.pendingCount < d.desiredCount) {
    const n = d.desiredCount - d.runningCount - d.pendingCount;
    d.pendingCount += n;
    c.event(s, started(c, n));
  } else if (d.pendingCount > 0) {
    d.pendingCount -= 1;
    d.runningCount += 1;
  } else {
    const old = s.deployments.filter((x) => x !== d);
    if (old.some((x) => x.runningCount > 0)) {
      for (const o of old) o.runningCount = 0;
      c.event(
        s,
        `has stopped ${old.length > 0 ? 2 : 0} running tasks: (task ${c.taskId()}) (task ${c.taskId()}).`,
      );
      c.event(s, `deployment ${d.id} deployment completed.`);
      return;
    }
    d.rolloutState = 'COMPLETED';
    d.rolloutStateReason = `ECS deployment ${d.id} completed.`;
    s.deployments = [d];
    c.event(s, 'has reached a steady state.');
  }
}

/** A broken build: its tasks start, then stop one by one until the circuit breaker trips. */
function stepBroken(c: RolloutContext, s: SimService, d: SimDeployment, image: SimImage): void {
  if (d.pendingCount === 0) {
    d.pendingCount = d.desiredCount;
    c.event(s, started(c, d.desiredCount));
    return;
  }
  stopTask(
    c,
    s,
    d.taskDefinition,
    `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${c.repositoryUri('todobackend')}:${image.tag}: not found`,
  );
  d.failedTasks += 1;
  if (d.failedTasks >= c.breakerThreshold()) tripBreaker(c, s, d);
}

function stopTask(c: RolloutContext, s: SimService, taskDefinition: string, reason: string): void {
  const id = c.taskId();
  c.tasks.push({
    taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${s.cluster}/${id}`,
    taskDefinitionArn: taskDefinition,
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    stoppedReason: reason,
    stoppedAt: now(),
    group: `service:${s.name}`,
    containers: [{ name: 'app', lastStatus: 'STOPPED', reason: reason.split(':')[0] }],
  });
  c.event(s, `has stopped 1 running tasks: (task ${id}).`);
}

function tripBreaker(c: RolloutContext, s: SimService, failed: SimDeployment): void {
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
    id: c.deploymentId(),
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
  c.event(
    s,
    `(deployment ${failed.id}) deployment failed: ECS deployment circuit breaker: tasks failed to start.`,
  );
  c.event(s, `rolling back to deployment ${previous.id}.`);
}
