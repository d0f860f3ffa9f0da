import type { Progress } from '../../domain/deployment.js';
import type { EcsFailure, EcsFact } from '../../domain/facts/ecs.js';
import type { EcsDeployment, EcsService } from '../../ports/ecs.js';
import type { EcsTrack } from './schemas.js';
import { alarmsFailedIt, alarmsMayRollBack, ecsRollsBack } from './alarms.js';

/** Consecutive failed tasks that count as "keeps stopping" when no circuit breaker decides. */
export const REPEATED_FAILURES = 3;

type TasksKeepStopping = Extract<EcsFact, { kind: 'ecs.tasksKeepStopping' }>;

export type EcsJudgement =
  | { readonly kind: 'progress'; readonly track: EcsTrack; readonly moved: boolean }
  | { readonly kind: 'succeeded'; readonly track: EcsTrack }
  | {
      readonly kind: 'failed';
      readonly track: EcsTrack;
      /**
       * ECS's account of the failure, or Capstan's own judgement (tasks keep stopping), which is
       * said after the cause, not in its place.
       */
      readonly reason: EcsFailure | TasksKeepStopping;
      /** ECS is rolling back by itself: Capstan follows this deployment and starts no other. */
      readonly ecsRollback?:
        | { readonly deploymentId?: string | undefined; readonly taskDefinitionArn?: string | undefined }
        | undefined;
    }
  | { readonly kind: 'superseded'; readonly track: EcsTrack; readonly by: string };

export interface EcsLook {
  readonly judgement: EcsJudgement;
  /** Service events Capstan has not shown yet, oldest first. */
  readonly events: readonly string[];
  /** Tasks of the followed revision stopped since the last look: their reasons belong in the thread. */
  readonly tasksStopped: boolean;
}

export function newTrack(
  taskDefinitionArn: string,
  ecsDeploymentId: string | undefined,
  now: number,
  previousTaskDefinitionArn?: string,
): EcsTrack {
  return {
    taskDefinitionArn,
    previousTaskDefinitionArn,
    ecsDeploymentId,
    lastEventAt: now,
    seenStoppedTasks: [],
    running: 0,
    desired: 0,
    failedTasks: 0,
  };
}

export function progressOf(t: EcsTrack): Progress {
  return { done: t.running, total: t.desired };
}

export function revisionOf(taskDefinitionArn: string): string {
  return taskDefinitionArn.split('/').pop() ?? taskDefinitionArn;
}

/**
 * Judges one look at a service against the deployment Capstan follows. The deployment is followed
 * by id: a service that is "stable" again after ECS rolled back, or on somebody else's revision,
 * is not a success. Timeouts are the poll loop's business, not this function's.
 *
 * Only what moves the rollout forward is progress (`moved`): tasks of the followed deployment
 * running in greater number than ever before, old tasks draining, a new rolloutState. Service
 * events (warnings such as "unable to place a task", repeated every few seconds), failed tasks and
 * tasks that start and stop again are not, so a rollout that goes nowhere meets its deadline.
 */
export function evaluate(service: EcsService, t: EcsTrack, phase: 'rollout' | 'rollback'): EcsLook {
  const fresh = service.events.filter((e) => e.at > t.lastEventAt);
  const lastEventAt = fresh.reduce((m, e) => Math.max(m, e.at), t.lastEventAt);
  const events = fresh.map((e) => e.message).reverse();
  const oldRunning = service.deployments
    .filter((d) => d.id !== t.ecsDeploymentId)
    .reduce((n, d) => n + d.runningCount, 0);
  const base: EcsTrack = { ...t, lastEventAt, oldRunning };
  const drained = t.oldRunning !== undefined && oldRunning < t.oldRunning;
  const look = (judgement: EcsJudgement, tasksStopped = false): EcsLook => ({
    judgement,
    events,
    tasksStopped,
  });

  if (t.ecsDeploymentId === undefined) return look(awaitingEcsRollback(service, base, drained));
  const dep = service.deployments.find((d) => d.id === t.ecsDeploymentId);
  if (dep === undefined) return look(followedGone(service, t.ecsDeploymentId, base, phase));
  const { judgement, tasksStopped } = judgeDeployment(service, dep, base, drained);
  return look(judgement, tasksStopped);
}

/** Waiting for the deployment ECS starts when it rolls back by itself. */
function awaitingEcsRollback(service: EcsService, base: EcsTrack, drained: boolean): EcsJudgement {
  const primary = service.deployments.find((d) => d.status === 'PRIMARY');
  if (primary && primary.taskDefinition !== base.taskDefinitionArn) {
    return {
      kind: 'progress',
      track: { ...base, ecsDeploymentId: primary.id, taskDefinitionArn: primary.taskDefinition },
      moved: true,
    };
  }
  return { kind: 'progress', track: base, moved: drained };
}

/** The deployment Capstan follows is no longer among the service's deployments. */
function followedGone(
  service: EcsService,
  followed: string,
  base: EcsTrack,
  phase: 'rollout' | 'rollback',
): EcsJudgement {
  const primary = service.deployments.find((d) => d.status === 'PRIMARY');
  if (primary && primary.taskDefinition === base.taskDefinitionArn) {
    // Same task definition under a new deployment id (someone forced a new deployment): keep following it.
    return { kind: 'progress', track: { ...base, ecsDeploymentId: primary.id }, moved: true };
  }
  const byEcs =
    phase === 'rollout' &&
    (primary === undefined ||
      base.previousTaskDefinitionArn === undefined ||
      primary.taskDefinition === base.previousTaskDefinitionArn);
  if (!byEcs && primary) {
    // Somebody else's UpdateService replaced Capstan's deployment: name it, never roll back over it.
    return { kind: 'superseded', track: base, by: revisionOf(primary.taskDefinition) };
  }
  // When the failed deployment is already gone, ECS's own account of why is in the service events.
  const why = service.events.find((e) => e.message.includes(followed) && /fail/i.test(e.message));
  const alarms = alarmsFailedIt(service, why?.message, true);
  return {
    kind: 'failed',
    track: base,
    reason: {
      kind: 'ecs.deploymentReplaced',
      deploymentId: followed,
      ...(why ? { event: why.message } : {}),
      ...(primary ? { runsNow: primary.taskDefinition } : {}),
      ...(alarms && { alarms }),
    },
    ecsRollback: primary
      ? { deploymentId: primary.id, taskDefinitionArn: primary.taskDefinition }
      : undefined,
  };
}

/** Judges the deployment Capstan follows, as the service lists it. */
function judgeDeployment(
  service: EcsService,
  dep: EcsDeployment,
  base: EcsTrack,
  drained: boolean,
): { judgement: EcsJudgement; tasksStopped: boolean } {
  const best = base.best ?? base.running;
  const moved = dep.runningCount > best || drained || (dep.rolloutState ?? '') !== (base.stage ?? '');
  const next: EcsTrack = {
    ...base,
    running: dep.runningCount,
    desired: dep.desiredCount,
    failedTasks: dep.failedTasks,
    best: Math.max(best, dep.runningCount),
    stage: dep.rolloutState,
  };
  const tasksStopped = dep.failedTasks > base.failedTasks;

  if (dep.rolloutState === 'FAILED') return { judgement: failedByEcs(service, dep, next), tasksStopped };
  if (!service.circuitBreaker.enable && dep.failedTasks >= REPEATED_FAILURES && dep.runningCount === 0) {
    const reason = { kind: 'ecs.tasksKeepStopping', failedTasks: dep.failedTasks } as const;
    return { judgement: { kind: 'failed', track: next, reason }, tasksStopped };
  }
  const completed =
    dep.rolloutState === 'COMPLETED' || (dep.rolloutState === undefined && service.deployments.length === 1);
  if (dep.status === 'PRIMARY' && completed && dep.runningCount === dep.desiredCount) {
    return { judgement: { kind: 'succeeded', track: next }, tasksStopped: false };
  }
  return { judgement: { kind: 'progress', track: next, moved }, tasksStopped };
}

/**
 * ECS marked the followed deployment (the one Capstan started, by id) FAILED: the service's alarms
 * come first when they failed it, and Capstan follows ECS's own rollback where ECS rolls back (as
 * it says, as the mechanism that failed it is set to, or as the service shows: a new PRIMARY
 * deployment of the revision that ran before), never starting a second one.
 */
function failedByEcs(service: EcsService, dep: EcsDeployment, track: EcsTrack): EcsJudgement {
  const said = dep.rolloutStateReason;
  const other = service.deployments.find((d) => d.status === 'PRIMARY' && d.id !== dep.id);
  const backToPrevious =
    other !== undefined &&
    track.previousTaskDefinitionArn !== undefined &&
    other.taskDefinition === track.previousTaskDefinitionArn;
  const alarms = alarmsFailedIt(service, said, backToPrevious);
  const reason: EcsFailure = {
    kind: 'ecs.rolloutFailed',
    ...(said !== undefined && { reason: said }),
    ...(alarms && { alarms }),
  };
  if (!backToPrevious && !ecsRollsBack(service, said, alarms)) {
    // The words leave it open whether the alarms (set to roll back) failed it: ECS's rollback
    // deployment may show at the next look, so Capstan waits for that one look before rolling back.
    if (alarmsMayRollBack(service, alarms) && !track.awaitedEcsRollback)
      return { kind: 'progress', track: { ...track, awaitedEcsRollback: true }, moved: true };
    return { kind: 'failed', track, reason };
  }
  const ecsRollback = { deploymentId: other?.id, taskDefinitionArn: other?.taskDefinition };
  return { kind: 'failed', track, reason, ecsRollback };
}
