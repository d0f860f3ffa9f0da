import type { EcsTarget } from '../../domain/catalog.js';
import { errorMessage } from '../../lib/errors.js';
import { escapeMrkdwn } from '../../lib/mrkdwn.js';
import type { Ecs, StoppedTask } from '../../ports/ecs.js';
import type { EcsTrack } from './schemas.js';

/** How many stopped tasks a track remembers as already shown. */
const SEEN_STOPPED_TASKS = 50;

/**
 * Tasks of the followed revision that stopped since they were last shown: a line for each, and in
 * the track how many crashed and why the newest stopped. A failed read is a line, never an error.
 */
export async function readStoppedTasks(
  ecs: Ecs,
  t: EcsTarget,
  track: EcsTrack,
): Promise<{ track: EcsTrack; lines: string[] }> {
  try {
    const tasks = await ecs.stoppedTasks(t, t.service, track.taskDefinitionArn);
    return stoppedTasksSeen(track, tasks);
  } catch (e) {
    return { track, lines: [`:warning: Could not read stopped tasks: ${escapeMrkdwn(errorMessage(e))}`] };
  }
}

export function stoppedTasksSeen(
  track: EcsTrack,
  tasks: readonly StoppedTask[],
): { track: EcsTrack; lines: string[] } {
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
    lines: fresh.map(
      (x) =>
        `:x: Task \`${escapeMrkdwn(x.arn.split('/').pop() ?? x.arn)}\` stopped: ${escapeMrkdwn(stopCauseOf(x))}`,
    ),
  };
}

/**
 * Why a task stopped, for people: ECS's stoppedReason, and what its containers add to it (an exit
 * code, a reason the stoppedReason does not already say).
 */
export function stopCauseOf(task: StoppedTask): string {
  const stopped = task.stoppedReason ?? 'no reason given';
  const detail = task.containers
    .filter(
      (c) => (c.reason && !stopped.includes(c.reason)) || (c.exitCode !== undefined && c.exitCode !== 0),
    )
    .map(
      (c) => `${c.name}: ${c.reason && !stopped.includes(c.reason) ? c.reason : `exit code ${c.exitCode}`}`,
    )
    .join('; ');
  return detail ? `${stopped} (${detail})` : stopped;
}
