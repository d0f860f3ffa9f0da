import { escapeMrkdwn } from '../../lib/mrkdwn.js';
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
  const causeWanted = j.kind === 'failed' && j.track.stopCause === undefined;
  return tasksStopped || (short && look % STOPPED_TASKS_EVERY === 0) || causeWanted;
}

/**
 * What one look at a service concludes, from evaluate()'s judgement and the track with what the
 * stopped tasks said (`data`). Pure: `now` starts the track of a rollback ECS starts by itself.
 */
export function conclude(
  j: EcsJudgement,
  data: EcsTrack,
  lines: string[],
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
    const keeps = `containers of the new revision keep exiting (${data.crashes} tasks stopped)`;
    return { kind: 'failed', data, lines, reason: data.stopCause ? `${data.stopCause}: ${keeps}` : keeps };
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

function failed(
  j: Extract<EcsJudgement, { kind: 'failed' }>,
  data: EcsTrack,
  lines: string[],
  now: number,
): Observation<EcsTrack> {
  // Cause first: why the tasks stopped; how ECS reacted (its circuit breaker) goes to the thread.
  const said = j.reason.replace(/[.;\s]+$/, '');
  if (j.judgedByCapstan) {
    const reason = data.stopCause ? `${data.stopCause}: ${j.reason}` : j.reason;
    return { kind: 'failed', data, lines, reason };
  }
  const reason = data.stopCause ?? j.reason;
  if (!j.ecsRollback) {
    const how = data.stopCause ? [`:octagonal_sign: ${escapeMrkdwn(said)}.`] : [];
    return { kind: 'failed', data, lines: [...lines, ...how], reason };
  }
  const rollbackTrack: EcsTrack = {
    ...newTrack(j.ecsRollback.taskDefinitionArn ?? data.taskDefinitionArn, j.ecsRollback.deploymentId, now),
    lastEventAt: data.lastEventAt,
  };
  return {
    kind: 'failed',
    data,
    lines: [
      ...lines,
      `:rewind: ECS is rolling back by itself (${escapeMrkdwn(said)}). Capstan follows that rollback and does not start another.`,
    ],
    reason,
    selfRollback: { kind: 'following', data: rollbackTrack },
  };
}
