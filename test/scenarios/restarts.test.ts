import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SkipClock } from '../fakes/skipClock.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { ECS_ENVS, World, body, throttling, yamlWith } from './scenario.js';

/**
 * Capstan stops at every step of a rollout on ECS — in the middle of UpdateService, mid-rollout,
 * during a rollback — and the next process ends it true. A crash freezes the process mid-call (the
 * call took effect in AWS or not) and starts another on the same ledger; a restart is an orderly stop.
 * The other targets' restarts are in their own files.
 */
let w: World;
let aws: FakeEcs;
let clock: SkipClock;

beforeEach(() => {
  clock = new SkipClock();
  aws = new FakeEcs('todobackend-dev', { clock });
});
afterEach(async () => {
  await w?.stop();
  aws.restore();
});

const start = async (extra = '') => {
  w = await World.start(yamlWith(ECS_ENVS, extra), clock);
};
const updates = () => aws.ecs.commandCalls(UpdateServiceCommand).length;

async function deploy(version: string) {
  expect(await w.command(`todobackend ${version}`, 'C0DEV')).toContain(`\`${version}\``);
}

describe('restarts on ECS', () => {
  it('dies inside UpdateService after ECS started the deployment: the next process finds it and follows it to the end', async () => {
    await start();
    const held = w.gate();
    aws.afterUpdate = () => held.wait();
    await deploy('1.2.3');
    await w.until(() => held.reached);
    expect((await w.last('dev')).applyingSince).toBeDefined();

    await w.crash(() => held.fail());
    const done = await w.parent('C0DEV', '1.2.3', 'dev', /: succeeded$/);
    await w.threadHas(done, 'Capstan restarted and picked this rollout up again.');
    expect(w.h.slack.channelMessages('C0DEV')).toHaveLength(1);
    const d = await w.last('dev');
    expect(d.state).toBe('succeeded');
    expect(d.applyingSince).toBeUndefined();
    expect(updates()).toBe(1);
  });

  it('dies before UpdateService reached ECS: the next process finds nothing changed and says so; "rolling out" was never shown', async () => {
    await start();
    const held = w.gate();
    aws.beforeUpdate = () => held.wait();
    await deploy('1.2.3');
    await w.until(() => held.reached);

    await w.crash(() => held.fail());
    const done = await w.parent('C0DEV', '1.2.3', 'dev', /: failed$/);
    expect(body(done)).toContain(
      'Capstan restarted before ECS service todobackend-dev in cluster todo-dev (us-east-1) was changed; nothing changed.',
    );
    w.expectPath('C0DEV', '1.2.3', 'dev', ['checking', 'failed']);
    expect((await w.last('dev')).state).toBe('failed');
    expect(aws.service.deployments).toHaveLength(1);
  });

  it('restarts mid-rollout: the same message is finished with the real outcome, and nothing is started twice', async () => {
    await start();
    aws.behaviour.set('1.2.3', 'stuck');
    await deploy('1.2.3');
    await w.parent('C0DEV', '1.2.3', 'dev', /rolling out/);
    await w.restart();
    aws.behaviour.set('1.2.3', 'success');

    const done = await w.parent('C0DEV', '1.2.3', 'dev', /: succeeded$/);
    expect(done.edits).toBeGreaterThan(1);
    expect(w.h.slack.channelMessages('C0DEV')).toHaveLength(1);
    expect((await w.last('dev')).state).toBe('succeeded');
    expect(updates()).toBe(1);
  });

  it('restarts while Capstan rolls back: the rollback is followed to "rolled back", and not started again', async () => {
    await start();
    await deploy('1.2.3');
    await w.parent('C0DEV', '1.2.3', 'dev', /: succeeded$/);
    aws.behaviour.set('1.2.4-broken', 'circuit_breaker');
    await deploy('1.2.4-broken');
    aws.behaviour.set('1.2.3', 'stuck');
    await w.until(() => updates() === 3);
    await w.parent('C0DEV', '1.2.4-broken', 'dev', /: rolling back/);
    await w.restart();
    aws.behaviour.set('1.2.3', 'success');

    await w.parent('C0DEV', '1.2.4-broken', 'dev', /: rolled back to 1\.2\.3$/);
    expect((await w.last('dev')).state).toBe('rolled_back');
    expect(updates()).toBe(3);
  });

  it('dies inside the rollback’s UpdateService after ECS started it: the next process follows that rollback and starts no second one', async () => {
    await start();
    await deploy('1.2.3');
    await w.parent('C0DEV', '1.2.3', 'dev', /: succeeded$/);
    aws.behaviour.set('1.2.4-broken', 'circuit_breaker');
    const held = w.gate();
    aws.afterUpdate = () => (updates() === 3 ? held.wait() : undefined);
    await deploy('1.2.4-broken');
    await w.until(() => held.reached);

    await w.crash(() => held.fail());
    aws.afterUpdate = undefined;
    await w.parent('C0DEV', '1.2.4-broken', 'dev', /: (rolled back|rollback failed|failed)/);
    expect(w.current('C0DEV', '1.2.4-broken', 'dev').text).toMatch(/: rolled back to 1\.2\.3$/);
    expect((await w.last('dev')).state).toBe('rolled_back');
    // KNOWN GAP (reported): the rollback's plan is not in the ledger, so the next process cannot
    // reconcile the rollback UpdateService that took effect; it sees the failure again and starts a second rollback.
    expect(
      updates(),
      'UpdateService calls: a rollback that took effect is followed, never started twice',
    ).toBe(3);
  });

  it('restarts while ECS rolls back by itself: Capstan keeps following that rollback and starts none of its own', async () => {
    await start();
    await deploy('1.2.3');
    await w.parent('C0DEV', '1.2.3', 'dev', /: succeeded$/);
    aws.circuitBreaker = { enable: true, rollback: true };
    aws.behaviour.set('1.2.4-broken', 'circuit_breaker_ecs_rollback');
    // ECS's own rollback deployment (of the 1.2.3 revision) does not finish until after the restart.
    aws.behaviour.set('1.2.3', 'stuck');
    await deploy('1.2.4-broken');
    await w.parent('C0DEV', '1.2.4-broken', 'dev', /: rolling back/);
    await w.restart();
    aws.behaviour.set('1.2.3', 'success');

    const done = await w.parent('C0DEV', '1.2.4-broken', 'dev', /: rolled back by ECS$/);
    expect(body(done)).toContain('CannotPullContainerError');
    await w.threadHas(done, 'ECS deployment circuit breaker: rolling back');
    expect((await w.last('dev')).state).toBe('rolled_back');
    expect(updates()).toBe(2);
  });

  it('restarts while the outcome is unknown: the next process keeps checking, and the truth replaces "outcome unknown"', async () => {
    await start();
    let unreadable = true;
    aws.beforeDescribe = () => {
      if (unreadable && updates() > 0) throw throttling();
    };
    await deploy('1.2.3');
    const unknown = await w.parentLater('C0DEV', '1.2.3', 'dev', /: outcome unknown$/);
    await w.restart();
    unreadable = false;

    const done = await w.parentLater('C0DEV', '1.2.3', 'dev', /: succeeded$/);
    expect(done.ts).toBe(unknown.ts);
    expect((await w.last('dev')).state).toBe('succeeded');
    expect(updates()).toBe(1);
  });
});
