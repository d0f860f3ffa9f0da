import { describe, expect, it } from 'vitest';
import { conclude, wantsStoppedTasks } from '../../src/targets/ecs/conclude.js';
import { type EcsJudgement, newTrack } from '../../src/targets/ecs/evaluate.js';
import type { StoppedTask } from '../../src/ports/ecs.js';
import { type EcsTrack, trackSchema } from '../../src/targets/ecs/schemas.js';
import { stopCauseOf, stoppedTasksSeen } from '../../src/targets/ecs/stopped.js';
import type { Observation } from '../../src/targets/strategy.js';
import { sayFact as say } from '../../src/views/facts/index.js';

/** What people read of an observation: its lines and, when it failed, its reason. */
const words = (obs: Observation) => ({
  lines: obs.lines.map(say),
  reason: obs.kind === 'failed' ? say(obs.reason) : undefined,
});
const event = { kind: 'ecs.serviceEvent', message: 'has started 1 tasks' } as const;
const exited = { reason: 'Essential container in task exited', containers: [{ name: 'app', exitCode: 1 }] };

const NOW = 5_000;
const breaker = { enable: true, rollback: true };
const noBreaker = { enable: false, rollback: false };
const track = (over: Partial<EcsTrack> = {}): EcsTrack => ({
  ...newTrack('td:42', 'ecs-svc/NEW', 1000, 'td:41'),
  running: 1,
  desired: 2,
  ...over,
});
const progress = (t: EcsTrack, moved = false): EcsJudgement => ({ kind: 'progress', track: t, moved });

describe('conclude: what one look at a service says, from the judgement and the stopped tasks', () => {
  it('containers that keep exiting fail the rollout, the cause first, when no circuit breaker counts them', () => {
    const t = track({ crashes: 3, stopCause: exited });
    const obs = conclude(progress(t), t, [event], noBreaker, NOW);
    expect(obs).toEqual({
      kind: 'failed',
      data: t,
      lines: [event],
      reason: { kind: 'ecs.tasksKeepExiting', crashes: 3, cause: exited },
    });
    expect(words(obs).reason).toBe(
      'Essential container in task exited (app: exit code 1): containers of the new revision keep exiting (3 tasks stopped)',
    );
  });

  it('a breaker counting failed tasks decides, not Capstan; fewer crashes or all tasks running are progress', () => {
    const counted = track({ crashes: 3, failedTasks: 2 });
    expect(conclude(progress(counted), counted, [], breaker, NOW).kind).toBe('progress');
    const few = track({ crashes: 2 });
    expect(conclude(progress(few), few, [], noBreaker, NOW).kind).toBe('progress');
    const full = track({ crashes: 5, running: 2 });
    expect(conclude(progress(full, true), full, [], noBreaker, NOW)).toMatchObject({
      kind: 'progress',
      moved: true,
      progress: { done: 2, total: 2 },
    });
  });

  it('ECS rolling back by itself is followed from now, with the events already shown left out', () => {
    const t = track({ lastEventAt: 4_000, stopCause: { reason: 'CannotPullContainerError' } });
    const failure = {
      kind: 'ecs.rolloutFailed',
      reason: 'ECS deployment circuit breaker: tasks failed to start.',
    } as const;
    const j: EcsJudgement = {
      kind: 'failed',
      track: t,
      reason: failure,
      ecsRollback: { deploymentId: 'ecs-svc/OLD', taskDefinitionArn: 'td:41' },
    };
    const obs = conclude(j, t, [], breaker, NOW);
    expect(words(obs)).toEqual({
      reason: 'CannotPullContainerError',
      lines: [
        ':rewind: ECS is rolling back by itself (ECS deployment circuit breaker: tasks failed to start). Capstan follows that rollback and does not start another.',
      ],
    });
    expect(obs).toMatchObject({
      kind: 'failed',
      reason: { kind: 'ecs.taskStopCause', reason: 'CannotPullContainerError' },
      lines: [{ kind: 'ecs.rollingBack', failure }],
      selfRollback: {
        kind: 'following',
        data: { ...newTrack('td:41', 'ecs-svc/OLD', NOW), lastEventAt: 4_000 },
      },
    });
  });

  it("Capstan's own judgement of a failure comes after the cause; ECS's without a rollback goes to the thread", () => {
    const t = track({ stopCause: { reason: 'OutOfMemoryError' } });
    const ours: EcsJudgement = {
      kind: 'failed',
      track: t,
      reason: { kind: 'ecs.tasksKeepStopping', failedTasks: 3 },
    };
    expect(words(conclude(ours, t, [], noBreaker, NOW))).toEqual({
      reason: 'OutOfMemoryError: tasks of the new revision keep stopping (3 in a row)',
      lines: [],
    });
    const theirs: EcsJudgement = { kind: 'failed', track: t, reason: { kind: 'ecs.rolloutFailed' } };
    expect(words(conclude(theirs, t, [], breaker, NOW))).toEqual({
      reason: 'OutOfMemoryError',
      lines: [':octagonal_sign: ECS marked the rollout FAILED.'],
    });
    // Without a known cause, ECS's account is the reason and says nothing more in the thread.
    const bare = track();
    expect(words(conclude({ ...theirs, track: bare }, bare, [], breaker, NOW))).toEqual({
      reason: 'ECS marked the rollout FAILED',
      lines: [],
    });
  });
});

describe('wantsStoppedTasks: when a look reads the stopped tasks', () => {
  it('when tasks stopped, every fourth look while short of tasks, and for the cause of a failure', () => {
    const short = progress(track());
    expect([1, 2, 3, 4, 8].map((n) => wantsStoppedTasks(short, false, n))).toEqual([
      false,
      false,
      false,
      true,
      true,
    ]);
    expect(wantsStoppedTasks(short, true, 1)).toBe(true);
    expect(wantsStoppedTasks(progress(track({ running: 2 })), false, 4)).toBe(false);
    const failed: EcsJudgement = { kind: 'failed', track: track(), reason: { kind: 'ecs.rolloutFailed' } };
    expect(wantsStoppedTasks(failed, false, 1)).toBe(true);
    expect(wantsStoppedTasks({ ...failed, track: track({ stopCause: { reason: 'known' } }) }, false, 1)).toBe(
      false,
    );
    expect(wantsStoppedTasks({ kind: 'succeeded', track: track() }, true, 4)).toBe(false);
  });
});

describe('stoppedTasksSeen', () => {
  it('counts crashed tasks once, keeps the newest cause, and shows each task once', () => {
    const tasks = [
      {
        arn: 'arn:task/c/t1',
        taskDefinitionArn: 'td:42',
        stoppedReason: 'Essential container in task exited',
        stoppedAt: 10,
        containers: [{ name: 'app', exitCode: 1 }],
      },
      {
        arn: 'arn:task/c/t2',
        taskDefinitionArn: 'td:42',
        stoppedReason: 'Scaling activity',
        stoppedAt: 20,
        containers: [{ name: 'app', exitCode: 0 }],
      },
    ];
    const first = stoppedTasksSeen(track(), tasks);
    expect(first.track).toMatchObject({ crashes: 1, stopCause: { reason: 'Scaling activity' } });
    expect(first.lines).toEqual([
      { kind: 'ecs.taskStopped', id: 't1', ...exited },
      { kind: 'ecs.taskStopped', id: 't2', reason: 'Scaling activity' },
    ]);
    expect(first.lines.map(say)).toEqual([
      ':x: Task `t1` stopped: Essential container in task exited (app: exit code 1)',
      ':x: Task `t2` stopped: Scaling activity',
    ]);
    const again = stoppedTasksSeen(first.track, tasks);
    expect(again).toEqual({ track: first.track, lines: [] });
  });
});

describe('stopCauseOf: why a task stopped, as data', () => {
  const task = (stoppedReason: string | undefined, containers: StoppedTask['containers']): StoppedTask => ({
    arn: 'arn:task/c/t3',
    taskDefinitionArn: 'td:42',
    stoppedReason,
    containers,
  });

  it("keeps ECS's reason, and from the containers only what it does not already say", () => {
    expect(
      stopCauseOf(
        task('CannotPullContainerError: pull image manifest', [
          { name: 'app', reason: 'CannotPullContainerError: pull image manifest' },
          { name: 'log', reason: 'OutOfMemoryError: container killed' },
          { name: 'sidecar', exitCode: 137 },
          { name: 'init', exitCode: 0 },
        ]),
      ),
    ).toEqual({
      reason: 'CannotPullContainerError: pull image manifest',
      containers: [
        { name: 'log', reason: 'OutOfMemoryError: container killed' },
        { name: 'sidecar', exitCode: 137 },
      ],
    });
    expect(stopCauseOf(task(undefined, [{ name: 'app', exitCode: 1 }]))).toEqual({
      containers: [{ name: 'app', exitCode: 1 }],
    });
    expect(say({ kind: 'ecs.taskStopped', id: 't3', ...stopCauseOf(task(undefined, [])) })).toBe(
      ':x: Task `t3` stopped: no reason given',
    );
  });

  it('a track recorded when the cause was text reads back with that text as the reason', () => {
    const recorded: unknown = JSON.parse(JSON.stringify(track({ stopCause: undefined })));
    const legacy = trackSchema.parse({
      ...(recorded as object),
      stopCause: 'Essential container in task exited',
    });
    expect(legacy.stopCause).toEqual({ reason: 'Essential container in task exited' });
    expect(trackSchema.parse(JSON.parse(JSON.stringify(track({ stopCause: exited })))).stopCause).toEqual(
      exited,
    );
  });
});
