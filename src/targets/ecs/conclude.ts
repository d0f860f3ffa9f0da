import type { StopCause } from '../../domain/facts/ecs.js';
import type { Fact } from '../../domain/facts/index.js';
import type { EcsService } from '../../ports/ecs.js';
import type { Observation } from '../strategy.js';
import { type EcsJudgement, REPEATED_FAILURES, newTrack, progressOf } from './evaluate.js';
import type { EcsTrack } from './schemas.js';

/** Stopped tasks are read every this many looks while the followed deployment is short of tasks. */
const STOPPED_TASKS_EVERY = 4;

/**
 * ECS stops counting failedTasks once a task has run, so a crash loop shows in stopped tasks: they
 * are read when failures are counted, every few looks while tasks are missing, and for the cause of
 * a failure not known yet. `look` counts this rollout's looks so far, this one included.
 */
export function wantsStoppedTasks(j: EcsJudgement, tasksStopped: boolean, look: number): boolean {
  if (j.kind === 'succeeded') return false;
  const short = j.kind === 'progress' && j.track.running < j.track.desired;
  // An alarm's failure has its cause already: the alarm.
  const causeWanted = j.kind === 'failed' && j.track.stopCause === undefined && !byAlarm(j.reason);
  return tasksStopped || (short && look % STOPPED_TASKS_EVERY === 0) || causeWanted;
}

/**
 * What one look at a service concludes, from evaluate()'s judgement and the track with what the
 * stopped tasks said (`data`). Pure: `now` starts the track of a rollback ECS starts by itself.
 */
export function conclude(
  j: EcsJudgement,
  data: EcsTrack,
  lines: Fact[],
  circuitBreaker: EcsService['circuitBreaker'],
  now: number,
): Observation<EcsTrack> {
  // A circuit breaker decides only on tasks it counts; tasks that ran and then exited it does not.
  const crashLoop =
    j.kind === 'progress' &&
    (!circuitBreaker.enable || data.failedTasks === 0) &&
    data.running < data.desired &&
    (data.crashes ?? 0) >= REPEATED_FAILURES;
  if (crashLoop) {
    const reason: Fact = { kind: 'ecs.tasksKeepExiting', crashes: data.crashes ?? 0, ...cause(data) };
    return { kind: 'failed', data, lines, reason };
  }
  switch (j.kind) {
    case 'progress':
      return { kind: 'progress', data, lines, progress: progressOf(data), moved: j.moved };
    case 'succeeded':
      return { kind: 'succeeded', data, lines };
    case 'superseded':
      return { kind: 'superseded', data, lines, by: j.by };
    case 'failed':
      return failed(j, data, lines, now);
  }
}

type EcsJudgementFailure = Extract<EcsJudgement, { kind: 'failed' }>;

function failed(j: EcsJudgementFailure, data: EcsTrack, lines: Fact[], now: number): Observation<EcsTrack> {
  // Cause first: why the tasks stopped; how ECS reacted (its circuit breaker) goes to the thread.
  const failure = j.reason;
  if (failure.kind === 'ecs.tasksKeepStopping') {
    return { kind: 'failed', data, lines, reason: { ...failure, ...cause(data) } };
  }
  // The alarms that failed it come before any stopped task (its tasks are stopped as it is rolled back).
  const stopCause = byAlarm(failure) ? undefined : data.stopCause;
  const reason: Fact = stopCause ? { kind: 'ecs.taskStopCause', ...stopCause } : failure;
  if (!j.ecsRollback) {
    const how: Fact[] = stopCause ? [{ kind: 'ecs.gaveUp', failure }] : [];
    return { kind: 'failed', data, lines: [...lines, ...how], reason };
  }
  const rollbackTrack: EcsTrack = {
    ...newTrack(j.ecsRollback.taskDefinitionArn ?? data.taskDefinitionArn, j.ecsRollback.deploymentId, now),
    lastEventAt: data.lastEventAt,
  };
  return {
    kind: 'failed',
    data,
    lines: [...lines, { kind: 'ecs.rollingBack', failure }],
    reason,
    selfRollback: { kind: 'following', data: rollbackTrack },
  };
}

/** Whether the service's own alarms failed the rollout. */
function byAlarm(r: EcsJudgementFailure['reason']): boolean {
  return (r.kind === 'ecs.rolloutFailed' || r.kind === 'ecs.deploymentReplaced') && r.alarms !== undefined;
}

/** The cause of the newest stopped task, for a judgement said after it. */
function cause(data: EcsTrack): { cause?: StopCause } {
  return data.stopCause ? { cause: data.stopCause } : {};
}
