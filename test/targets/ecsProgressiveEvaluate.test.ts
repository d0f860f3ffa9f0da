import { describe, expect, it } from 'vitest';
import type { ServiceDeployment } from '../../src/ports/ecsServiceDeployments.js';
import { newTrack } from '../../src/targets/ecs/evaluate.js';
import { evaluateServiceDeployment } from '../../src/targets/ecs/progressive/evaluate.js';
import { pickStarted } from '../../src/targets/ecs/progressive/observe.js';

const NOW = 1_000_000;
const ARN = 'arn:aws:ecs:us-east-1:1:service-deployment/c/s/a';
const track = (sd: Record<string, unknown> = {}) => ({
  ...newTrack('td:2', undefined, 0, 'td:1'),
  sd: { strategy: 'BLUE_GREEN', since: 0, arn: ARN, status: 'IN_PROGRESS', stage: 'SCALE_UP', ...sd },
});
const dep = (d: Partial<ServiceDeployment>): ServiceDeployment => ({
  arn: ARN,
  status: 'IN_PROGRESS',
  lifecycleStage: 'SCALE_UP',
  hooks: [],
  ...d,
});
const judge = (d: Partial<ServiceDeployment>, phase: 'rollout' | 'rollback' = 'rollout', sd = {}) =>
  evaluateServiceDeployment({ deployment: dep(d) }, track(sd), phase, NOW);

describe('evaluateServiceDeployment: ECS’s status of the followed ARN decides', () => {
  it.each([
    ['SUCCESSFUL', 'rollout', 'succeeded'],
    ['ROLLBACK_SUCCESSFUL', 'rollback', 'succeeded'],
    ['ROLLBACK_SUCCESSFUL', 'rollout', 'failed'],
    ['ROLLBACK_FAILED', 'rollout', 'failed'],
    ['ROLLBACK_FAILED', 'rollback', 'failed'],
    ['STOPPED', 'rollout', 'failed'],
    ['ROLLBACK_IN_PROGRESS', 'rollout', 'failed'],
    ['ROLLBACK_REQUESTED', 'rollback', 'progress'],
    ['IN_PROGRESS', 'rollout', 'progress'],
    ['PENDING', 'rollout', 'progress'],
  ] as const)('%s during the %s is %s', (status, phase, kind) => {
    expect(judge({ status }, phase).kind).toBe(kind);
  });

  it('SUCCESSFUL in a rollback: Capstan’s redeploy is done; ECS’s own rollback (byEcs) saw none', () => {
    expect(judge({ status: 'SUCCESSFUL' }, 'rollback').kind).toBe('succeeded');
    expect(judge({ status: 'SUCCESSFUL' }, 'rollback', { byEcs: true }).kind).toBe('failed');
  });

  it('ECS rolling back a rollout is followed with byEcs set', () => {
    const o = judge({ status: 'ROLLBACK_IN_PROGRESS' });
    expect(o.kind === 'failed' && o.selfRollback?.kind === 'following' && o.selfRollback.data).toMatchObject({
      sd: { arn: ARN, byEcs: true },
    });
  });

  it('ROLLBACK_SUCCESSFUL first seen is put back by ECS, with ECS’s reason', () => {
    const o = judge({ status: 'ROLLBACK_SUCCESSFUL', rollback: { reason: 'alarm x' } });
    expect(o).toMatchObject({
      kind: 'failed',
      selfRollback: { kind: 'done' },
      reason: {
        kind: 'ecs.serviceDeploymentFailed',
        status: 'ROLLBACK_SUCCESSFUL',
        rollbackReason: 'alarm x',
      },
    });
  });

  it('ECS rolling back is followed on the same ARN, Capstan starting nothing', () => {
    const o = judge({ status: 'ROLLBACK_IN_PROGRESS' });
    expect(o.kind === 'failed' && o.selfRollback?.kind).toBe('following');
  });

  it('STOPPED by a newer deployment is superseded by that revision', () => {
    const o = evaluateServiceDeployment(
      {
        deployment: dep({ status: 'STOPPED' }),
        newer: { arn: 'b', status: 'IN_PROGRESS', targetRevisionArn: 'arn:x:service-revision/c/s/7' },
      },
      track(),
      'rollout',
      NOW,
    );
    expect(o).toMatchObject({ kind: 'superseded', by: 's:7' });
  });

  it('an ARN ECS no longer knows is missing, named', () => {
    const o = evaluateServiceDeployment({ missing: true }, track(), 'rollout', NOW);
    expect(o).toMatchObject({ kind: 'missing', what: { kind: 'ecs.serviceDeploymentGone', arn: ARN } });
  });

  it('a pause hook awaiting action holds the deadline and offers a decision, said once', () => {
    const hook = {
      hookId: 'h1',
      status: 'AWAITING_ACTION',
      expiresAt: NOW + 60_000,
      timeoutAction: 'ROLLBACK',
    };
    const o = judge({ lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT', hooks: [hook], testWeight: 100 });
    expect(o).toMatchObject({
      kind: 'progress',
      held: true,
      moved: true,
      pause: { stage: 'POST_TEST_TRAFFIC_SHIFT', timeoutAction: 'ROLLBACK', expiresAt: NOW + 60_000 },
    });
    expect(o.lines.map((l) => l.kind)).toEqual(['ecs.stageReached', 'ecs.hookAwaiting']);
    const again = evaluateServiceDeployment(
      { deployment: dep({ lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT', hooks: [hook], testWeight: 100 }) },
      o.data as ReturnType<typeof track>,
      'rollout',
      NOW + 1,
    );
    expect(again.lines).toEqual([]);
    expect(again.kind === 'progress' && again.moved).toBe(false);
  });

  it('a hook decided elsewhere ends the pause within one look, said once', () => {
    const sd = { stage: 'POST_TEST_TRAFFIC_SHIFT', hook: { hookId: 'h1', stage: 'POST_TEST_TRAFFIC_SHIFT' } };
    const o = judge(
      { lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT', hooks: [{ hookId: 'h1', status: 'SUCCEEDED' }] },
      'rollout',
      sd,
    );
    expect(o).toMatchObject({ kind: 'progress', pause: undefined, waiting: undefined });
    expect(o.lines).toEqual([
      { kind: 'ecs.hookEnded', stage: 'POST_TEST_TRAFFIC_SHIFT', status: 'SUCCEEDED' },
    ]);
  });

  it('a bake is held by ECS’s clock and shows when it ends; scaling up is not', () => {
    const bake = judge({ lifecycleStage: 'BAKE_TIME', bakeTimeMinutes: 10, productionWeight: 100 });
    expect(bake).toMatchObject({
      kind: 'progress',
      held: true,
      stage: { stage: 'BAKE_TIME', until: NOW + 600_000 },
    });
    expect(judge({ lifecycleStage: 'SCALE_UP' }, 'rollout', { stage: 'PENDING' })).toMatchObject({
      held: false,
    });
  });

  it('picks the deployment UpdateService named, else the first created since Capstan asked', () => {
    const c = [
      { arn: 'b', status: 'IN_PROGRESS', createdAt: 20 },
      { arn: 'a', status: 'STOPPED', createdAt: 10 },
    ];
    expect(pickStarted(c, { strategy: 'BLUE_GREEN', since: 0, hinted: 'b' })).toBe('b');
    expect(pickStarted(c, { strategy: 'BLUE_GREEN', since: 0, hinted: 'zz' })).toBe('a');
    expect(pickStarted([], { strategy: 'BLUE_GREEN', since: 0 })).toBeUndefined();
  });
});
