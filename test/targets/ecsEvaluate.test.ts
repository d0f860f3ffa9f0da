import { describe, expect, it } from 'vitest';
import type { EcsService } from '../../src/ports/ecs.js';
import { evaluate, newTrack } from '../../src/targets/ecs/evaluate.js';
import { sayFact as say } from '../../src/views/facts/index.js';

const service = (over: Partial<EcsService>): EcsService => ({
  name: 'svc',
  status: 'ACTIVE',
  desiredCount: 2,
  runningCount: 2,
  pendingCount: 0,
  taskDefinition: 'td:41',
  circuitBreaker: { enable: true, rollback: true },
  events: [],
  deployments: [],
  ...over,
});

describe('evaluate', () => {
  const watch = newTrack('td:42', 'ecs-svc/NEW', 1000, 'td:41');

  it('a rolled-back deployment that is already gone is a failure, with the reason ECS gave in its events', () => {
    const obs = evaluate(
      service({
        deployments: [
          {
            id: 'ecs-svc/OLD2',
            status: 'PRIMARY',
            taskDefinition: 'td:41',
            desiredCount: 2,
            runningCount: 2,
            pendingCount: 0,
            failedTasks: 0,
            rolloutState: 'COMPLETED',
          },
        ],
        events: [
          { id: 'e2', at: 3000, message: '(service svc) has reached a steady state.' },
          {
            id: 'e1',
            at: 2000,
            message: '(service svc) (deployment ecs-svc/NEW) deployment failed: tasks failed to start.',
          },
        ],
      }),
      watch,
      'rollout',
    ).judgement;
    expect(obs.kind).toBe('failed');
    if (obs.kind !== 'failed') return;
    expect(obs.reason).toEqual({
      kind: 'ecs.deploymentReplaced',
      deploymentId: 'ecs-svc/NEW',
      event: '(service svc) (deployment ecs-svc/NEW) deployment failed: tasks failed to start.',
      runsNow: 'td:41',
    });
    expect(say(obs.reason)).toBe(
      'ECS rolled back deployment ecs-svc/NEW: (deployment ecs-svc/NEW) deployment failed: tasks failed to start.; the service now runs td:41',
    );
    expect(obs.ecsRollback).toEqual({ deploymentId: 'ecs-svc/OLD2', taskDefinitionArn: 'td:41' });
  });

  it('a stable service is not a success when the deployment followed is not the one running', () => {
    const obs = evaluate(
      service({
        deployments: [
          {
            id: 'ecs-svc/OLD',
            status: 'PRIMARY',
            taskDefinition: 'td:41',
            desiredCount: 2,
            runningCount: 2,
            pendingCount: 0,
            failedTasks: 0,
            rolloutState: 'COMPLETED',
          },
        ],
      }),
      watch,
      'rollout',
    ).judgement;
    expect(obs).toMatchObject({
      kind: 'failed',
      reason: { kind: 'ecs.deploymentReplaced', deploymentId: 'ecs-svc/NEW', runsNow: 'td:41' },
    });
    if (obs.kind === 'failed') {
      expect(say(obs.reason)).toBe('ECS replaced deployment ecs-svc/NEW; the service now runs td:41');
    }
  });

  it('a deployment ECS marks FAILED is a failure in its words; without a breaker, tasks that keep failing are our judgement', () => {
    const dep = {
      id: 'ecs-svc/NEW',
      status: 'PRIMARY',
      taskDefinition: 'td:42',
      desiredCount: 2,
      runningCount: 0,
      pendingCount: 0,
      failedTasks: 3,
      rolloutState: 'FAILED',
    };
    const failed = evaluate(service({ deployments: [dep] }), watch, 'rollout').judgement;
    expect(failed).toMatchObject({ kind: 'failed', reason: { kind: 'ecs.rolloutFailed' } });
    if (failed.kind === 'failed') expect(say(failed.reason)).toBe('ECS marked the rollout FAILED');
    const stopping = evaluate(
      service({
        deployments: [{ ...dep, rolloutState: 'IN_PROGRESS' }],
        circuitBreaker: { enable: false, rollback: false },
      }),
      watch,
      'rollout',
    ).judgement;
    expect(stopping).toMatchObject({
      kind: 'failed',
      reason: { kind: 'ecs.tasksKeepStopping', failedTasks: 3 },
    });
    if (stopping.kind === 'failed') {
      expect(say(stopping.reason)).toBe('tasks of the new revision keep stopping (3 in a row)');
    }
  });

  it("somebody else's revision replacing Capstan's deployment is superseded, not a rollback by ECS", () => {
    const obs = evaluate(
      service({
        deployments: [
          {
            id: 'ecs-svc/OTHER',
            status: 'PRIMARY',
            taskDefinition: 'td:43',
            desiredCount: 2,
            runningCount: 1,
            pendingCount: 1,
            failedTasks: 0,
            rolloutState: 'IN_PROGRESS',
          },
        ],
      }),
      watch,
      'rollout',
    ).judgement;
    expect(obs).toMatchObject({ kind: 'superseded', by: 'td:43' });
  });

  it('success needs the followed deployment PRIMARY, COMPLETED and fully running', () => {
    const dep = {
      id: 'ecs-svc/NEW',
      status: 'PRIMARY',
      taskDefinition: 'td:42',
      desiredCount: 2,
      runningCount: 1,
      pendingCount: 1,
      failedTasks: 0,
      rolloutState: 'IN_PROGRESS',
    };
    expect(evaluate(service({ deployments: [dep] }), watch, 'rollout').judgement.kind).toBe('progress');
    expect(
      evaluate(
        service({ deployments: [{ ...dep, runningCount: 2, pendingCount: 0, rolloutState: 'COMPLETED' }] }),
        watch,
        'rollout',
      ).judgement.kind,
    ).toBe('succeeded');
  });

  it('old tasks draining is progress, even when the new deployment does not move', () => {
    const dep = {
      id: 'ecs-svc/NEW',
      status: 'PRIMARY',
      taskDefinition: 'td:42',
      desiredCount: 2,
      runningCount: 2,
      pendingCount: 0,
      failedTasks: 0,
      rolloutState: 'IN_PROGRESS',
    };
    const old = { ...dep, id: 'ecs-svc/OLD', status: 'ACTIVE', taskDefinition: 'td:41', runningCount: 2 };
    const first = evaluate(
      service({ deployments: [dep, old] }),
      { ...watch, running: 2, desired: 2 },
      'rollout',
    );
    const same = evaluate(service({ deployments: [dep, old] }), first.judgement.track, 'rollout');
    expect(same.judgement).toMatchObject({ kind: 'progress', moved: false });
    const drained = evaluate(
      service({ deployments: [dep, { ...old, runningCount: 1 }] }),
      first.judgement.track,
      'rollout',
    );
    expect(drained.judgement).toMatchObject({ kind: 'progress', moved: true });
  });
});
