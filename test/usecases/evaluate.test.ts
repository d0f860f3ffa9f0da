import { describe, expect, it } from 'vitest';
import type { EcsService } from '../../src/ports/ecs.js';
import { evaluate, newWatch } from '../../src/usecases/rollout/evaluate.js';

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
  const watch = newWatch('rollout', 'td:42', 'ecs-svc/NEW', 1000);

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
      4000,
      600_000,
    );
    expect(obs.kind).toBe('failed');
    if (obs.kind !== 'failed') return;
    expect(obs.reason).toBe(
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
      4000,
      600_000,
    );
    expect(obs.kind).toBe('failed');
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
    expect(evaluate(service({ deployments: [dep] }), watch, 2000, 600_000).kind).toBe('progress');
    expect(
      evaluate(
        service({ deployments: [{ ...dep, runningCount: 2, pendingCount: 0, rolloutState: 'COMPLETED' }] }),
        watch,
        2000,
        600_000,
      ).kind,
    ).toBe('succeeded');
  });

  it('no progress within the timeout is a failure', () => {
    const dep = {
      id: 'ecs-svc/NEW',
      status: 'PRIMARY',
      taskDefinition: 'td:42',
      desiredCount: 2,
      runningCount: 0,
      pendingCount: 0,
      failedTasks: 0,
      rolloutState: 'IN_PROGRESS',
    };
    const obs = evaluate(service({ deployments: [dep] }), { ...watch, desired: 2 }, 1000 + 600_001, 600_000);
    expect(obs).toMatchObject({ kind: 'failed', reason: 'no progress for 600s (0/2 tasks running)' });
  });
});
