import { awsErrorReported } from '../../domain/reported.js';
import type { EcsTarget } from '../../domain/catalog.js';
import type { ContainerStop, StopCause } from '../../domain/facts/ecs.js';
import type { Fact } from '../../domain/facts/index.js';
import type { Ecs, StoppedTask } from '../../ports/ecs.js';
import type { EcsTrack } from './schemas.js';

/** How many stopped tasks a track remembers as already shown. */
const SEEN_STOPPED_TASKS = 50;

/**
 * Tasks of the followed revision that stopped since they were last shown: a fact for each, and in
 * the track how many crashed and why the newest stopped. A failed read is a fact, never an error.
 */
export async function readStoppedTasks(
  ecs: Ecs,
  t: EcsTarget,
  track: EcsTrack,
  urgent = false,
): Promise<{ track: EcsTrack; lines: Fact[] }> {
  try {
    const tasks = await ecs.stoppedTasks(t, t.service, track.taskDefinitionArn, { urgent });
    return stoppedTasksSeen(track, tasks);
  } catch (e) {
    return { track, lines: [{ kind: 'aws.callFailed', what: 'stopped tasks', error: awsErrorReported(e) }] };
  }
}

export function stoppedTasksSeen(
  track: EcsTrack,
  tasks: readonly StoppedTask[],
): { track: EcsTrack; lines: Fact[] } {
  const fresh = tasks.filter((x) => !track.seenStoppedTasks.includes(x.arn));
  const newest = [...fresh].sort((a, b) => (b.stoppedAt ?? 0) - (a.stoppedAt ?? 0))[0];
  const crashed = fresh.filter((x) =>
    x.containers.some((c) => c.reason || (c.exitCode !== undefined && c.exitCode !== 0)),
  ).length;
  return {
    track: {
      ...track,
      seenStoppedTasks: [...track.seenStoppedTasks, ...fresh.map((x) => x.arn)].slice(-SEEN_STOPPED_TASKS),
      crashes: (track.crashes ?? 0) + crashed,
      stopCause: newest ? stopCauseOf(newest) : track.stopCause,
    },
    lines: fresh.map((x) => ({
      kind: 'ecs.taskStopped',
      id: x.arn.split('/').pop() ?? x.arn,
      ...stopCauseOf(x),
    })),
  };
}

/**
 * Why a task stopped: ECS's stoppedReason, and the containers that add to it (a reason the
 * stoppedReason does not already say, else a non-zero exit code).
 */
export function stopCauseOf(task: StoppedTask): StopCause {
  const stopped = task.stoppedReason ?? '';
  const containers = task.containers.flatMap((c): ContainerStop[] => {
    if (c.reason && !stopped.includes(c.reason)) return [{ name: c.name, reason: c.reason }];
    if (c.exitCode !== undefined && c.exitCode !== 0) return [{ name: c.name, exitCode: c.exitCode }];
    return [];
  });
  return {
    ...(task.stoppedReason !== undefined ? { reason: task.stoppedReason } : {}),
    ...(containers.length > 0 ? { containers } : {}),
  };
}
