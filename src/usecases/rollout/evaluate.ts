import type { EcsWatch } from '../../domain/deployment.js';
import type { EcsService } from '../../ports/ecs.js';

/** Consecutive failed tasks that count as "keeps stopping" when no circuit breaker decides. */
export const REPEATED_FAILURES = 3;

export type Observation =
  | {
      readonly kind: 'progress';
      readonly watch: EcsWatch;
      readonly events: readonly string[];
      readonly tasksStopped: boolean;
    }
  | { readonly kind: 'succeeded'; readonly watch: EcsWatch; readonly events: readonly string[] }
  | {
      readonly kind: 'failed';
      readonly watch: EcsWatch;
      readonly events: readonly string[];
      readonly tasksStopped: boolean;
      readonly reason: string;
      /** Set when ECS is rolling back by itself: Capstan must follow it, not start another. */
      readonly ecsRollback?:
        | { readonly deploymentId?: string | undefined; readonly taskDefinitionArn?: string | undefined }
        | undefined;
    };

/**
 * Judges one poll of a service against the deployment Capstan follows. The deployment is
 * followed by id: a service that is "stable" again after ECS rolled back is not a success.
 */
export function evaluate(service: EcsService, watch: EcsWatch, now: number, timeoutMs: number): Observation {
  const fresh = service.events.filter((e) => e.at > watch.lastEventAt);
  const lastEventAt = fresh.reduce((m, e) => Math.max(m, e.at), watch.lastEventAt);
  const events = fresh.map((e) => e.message).reverse();
  const primary = service.deployments.find((d) => d.status === 'PRIMARY');
  const base: EcsWatch = { ...watch, lastEventAt };
  const timedOut = (w: EcsWatch) => now - w.lastProgressAt > timeoutMs;
  const noProgress = (w: EcsWatch) =>
    `no progress for ${Math.round(timeoutMs / 1000)}s (${w.running}/${w.desired} tasks running)`;

  // Waiting for the deployment ECS starts when it rolls back by itself.
  if (watch.ecsDeploymentId === undefined) {
    if (primary && primary.taskDefinition !== watch.taskDefinitionArn) {
      return {
        kind: 'progress',
        watch: {
          ...base,
          ecsDeploymentId: primary.id,
          taskDefinitionArn: primary.taskDefinition,
          lastProgressAt: now,
        },
        events,
        tasksStopped: false,
      };
    }
    if (timedOut(base))
      return {
        kind: 'failed',
        watch: base,
        events,
        tasksStopped: false,
        reason: `ECS started no rollback: ${noProgress(base)}`,
      };
    return { kind: 'progress', watch: base, events, tasksStopped: false };
  }

  const dep = service.deployments.find((d) => d.id === watch.ecsDeploymentId);
  if (dep === undefined) {
    if (primary && primary.taskDefinition === watch.taskDefinitionArn) {
      // Same task definition under a new deployment id (someone forced a new deployment): keep following it.
      return {
        kind: 'progress',
        watch: { ...base, ecsDeploymentId: primary.id, lastProgressAt: now },
        events,
        tasksStopped: false,
      };
    }
    // When the failed deployment is already gone, ECS's own account of why is in the service events.
    const why = service.events.find(
      (e) => e.at >= watch.startedAt && e.message.includes(watch.ecsDeploymentId!) && /fail/i.test(e.message),
    );
    const runsNow = primary ? `; the service now runs ${revisionOf(primary.taskDefinition)}` : '';
    return {
      kind: 'failed',
      watch: base,
      events,
      tasksStopped: false,
      reason: why
        ? `ECS rolled back deployment ${watch.ecsDeploymentId}: ${why.message.replace(/^\(service [^)]+\) /, '')}${runsNow}`
        : `ECS replaced deployment ${watch.ecsDeploymentId}${runsNow}`,
      ecsRollback: primary
        ? { deploymentId: primary.id, taskDefinitionArn: primary.taskDefinition }
        : undefined,
    };
  }

  const moved =
    dep.runningCount !== watch.running ||
    dep.desiredCount !== watch.desired ||
    dep.failedTasks !== watch.failedTasks;
  const next: EcsWatch = {
    ...base,
    running: dep.runningCount,
    desired: dep.desiredCount,
    failedTasks: dep.failedTasks,
    lastProgressAt: moved ? now : watch.lastProgressAt,
  };
  const tasksStopped = dep.failedTasks > watch.failedTasks;

  if (dep.rolloutState === 'FAILED') {
    const reason = dep.rolloutStateReason ?? 'ECS marked the rollout FAILED';
    const ecsRollsBack = service.circuitBreaker.rollback || /rolling back|rolled back/i.test(reason);
    if (ecsRollsBack) {
      const other = service.deployments.find((d) => d.status === 'PRIMARY' && d.id !== dep.id);
      return {
        kind: 'failed',
        watch: next,
        events,
        tasksStopped,
        reason,
        ecsRollback: { deploymentId: other?.id, taskDefinitionArn: other?.taskDefinition },
      };
    }
    return { kind: 'failed', watch: next, events, tasksStopped, reason };
  }
  if (!service.circuitBreaker.enable && dep.failedTasks >= REPEATED_FAILURES && dep.runningCount === 0) {
    return {
      kind: 'failed',
      watch: next,
      events,
      tasksStopped,
      reason: `tasks of the new revision keep stopping (${dep.failedTasks} in a row)`,
    };
  }
  const completed =
    dep.rolloutState === 'COMPLETED' || (dep.rolloutState === undefined && service.deployments.length === 1);
  if (dep.status === 'PRIMARY' && completed && dep.runningCount === dep.desiredCount) {
    return { kind: 'succeeded', watch: next, events };
  }
  if (timedOut(next)) return { kind: 'failed', watch: next, events, tasksStopped, reason: noProgress(next) };
  return { kind: 'progress', watch: next, events, tasksStopped };
}

export function revisionOf(taskDefinitionArn: string): string {
  return taskDefinitionArn.split('/').pop() ?? taskDefinitionArn;
}

export function newWatch(
  phase: EcsWatch['phase'],
  taskDefinitionArn: string,
  ecsDeploymentId: string | undefined,
  now: number,
  byEcs = false,
): EcsWatch {
  return {
    phase,
    byEcs,
    taskDefinitionArn,
    ecsDeploymentId,
    startedAt: now,
    lastProgressAt: now,
    lastEventAt: now,
    seenStoppedTasks: [],
    running: 0,
    desired: 0,
    failedTasks: 0,
  };
}
