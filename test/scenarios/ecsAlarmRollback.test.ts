import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sayWhy } from '../../src/views/why.js';
import { SkipClock } from '../fakes/skipClock.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { ECS_ENVS, World, yamlWith } from './scenario.js';

let w: World;
let aws: FakeEcs;
let clock: SkipClock;

beforeEach(() => {
  clock = new SkipClock();
  aws = new FakeEcs('todobackend-dev', { clock });
  aws.behaviour.set('1.2.4-broken', 'alarm');
});
afterEach(async () => {
  await w?.stop();
  aws.restore();
});

/** UpdateService calls: Capstan's deploys and its own rollbacks (ECS's rollback makes none). */
const updates = () => aws.ecs.commandCalls(UpdateServiceCommand).length;

/** 1.2.3 runs, then 1.2.4-broken goes out and one of the service's alarms fails it. */
async function brokenAfterGood(): Promise<void> {
  w = await World.start(yamlWith(ECS_ENVS), clock);
  await w.command('todobackend 1.2.3 to dev', 'C0DEV');
  await w.parent('C0DEV', '1.2.3', 'dev', /: succeeded$/);
  await w.command('todobackend 1.2.4-broken to dev', 'C0DEV');
}

const ended = () => w.parent('C0DEV', '1.2.4-broken', 'dev', /: (rolled back.*|failed|rollback failed)$/);

describe("ECS rolling: the service's own alarms (deploymentConfiguration.alarms)", () => {
  it('alarms that roll back: Capstan follows ECS’s rollback to its end, starts none, and names the alarm first', async () => {
    aws.alarms = { alarmNames: ['todo-5xx'], enable: true, rollback: true };
    // ECS's words do not say it rolls back, and the circuit breaker does not roll back.
    aws.circuitBreaker = { enable: true, rollback: false };
    await brokenAfterGood();
    const done = await ended();
    expect(done.text).toMatch(/: rolled back by ECS$/);
    expect(updates()).toBe(2);
    const d = await w.last('dev');
    expect(d.rollbackVersion).toBeUndefined();
    expect(sayWhy(d)).toMatch(
      /^:rotating_light: Alarm `todo-5xx` went off: ECS deployment alarms detected: todo-5xx in ALARM state/,
    );
    await w.threadHas(
      done,
      'ECS is rolling back by itself (alarm `todo-5xx` went off: ECS deployment alarms detected',
    );
    expect(await w.command('status todobackend dev', 'C0DEV')).toContain('`1.2.3`');
  });

  it('alarms that only fail the deployment: Capstan rolls back as usual, the alarm named first', async () => {
    aws.alarms = { alarmNames: ['todo-5xx', 'todo-latency'], enable: true, rollback: false };
    // The circuit breaker would roll back, but it did not fail this deployment: its alarms did.
    aws.circuitBreaker = { enable: true, rollback: true };
    aws.alarmFailureReason = 'Deployment failed: alarm todo-latency is in ALARM.';
    await brokenAfterGood();
    const done = await ended();
    expect(done.text).toMatch(/: rolled back to 1\.2\.3$/);
    expect(updates()).toBe(3);
    expect(sayWhy(await w.last('dev'))).toMatch(
      /^:rotating_light: Alarm `todo-latency` went off: Deployment failed: alarm todo-latency is in ALARM/,
    );
  });

  it('words that name no alarm: every alarm of the service is named, as one of them', async () => {
    aws.alarms = { alarmNames: ['todo-5xx', 'todo-latency'], enable: true, rollback: true };
    aws.circuitBreaker = { enable: false, rollback: false };
    aws.alarmFailureReason = 'ECS deployment failed.';
    await brokenAfterGood();
    const done = await ended();
    expect(done.text).toMatch(/: rolled back by ECS$/);
    expect(updates()).toBe(2);
    expect(sayWhy(await w.last('dev'))).toMatch(
      /^:rotating_light: One of the service's alarms \(`todo-5xx`, `todo-latency`\) went off: ECS deployment failed/,
    );
  });

  it('words that name neither, with a breaker that could have failed it: ECS rolling back is seen on the service', async () => {
    // The breaker does not roll back, the alarms do: a new deployment of the revision before is ECS's
    // rollback, whatever its words, and only the alarms could have started it.
    aws.alarms = { alarmNames: ['todo-5xx'], enable: true, rollback: true };
    aws.circuitBreaker = { enable: true, rollback: false };
    aws.alarmFailureReason = 'ECS deployment failed.';
    await brokenAfterGood();
    const done = await ended();
    expect(done.text).toMatch(/: rolled back by ECS$/);
    expect(updates()).toBe(2);
    expect(sayWhy(await w.last('dev'))).toMatch(/^:rotating_light: Alarm `todo-5xx` went off/);
  });

  it("breaker's words for an alarm failure, ECS's rollback one look later: Capstan waits for it and starts none", async () => {
    // The alarms roll back, the breaker does not; ECS words the failure as the breaker's, and its
    // rollback deployment shows only at the next look.
    aws.alarms = { alarmNames: ['todo-5xx'], enable: true, rollback: true };
    aws.circuitBreaker = { enable: true, rollback: false };
    aws.alarmFailureReason = 'ECS deployment circuit breaker: deployment failed.';
    aws.alarmRollbackLooks = 1;
    await brokenAfterGood();
    const done = await ended();
    expect(done.text).toMatch(/: rolled back by ECS$/);
    expect(updates()).toBe(2);
  });

  it('the breaker’s words and no ECS rollback after one more look: Capstan rolls back itself', async () => {
    aws.alarms = { alarmNames: ['todo-5xx'], enable: true, rollback: true };
    aws.circuitBreaker = { enable: true, rollback: false };
    aws.alarmFailureReason = 'ECS deployment circuit breaker: deployment failed.';
    aws.alarmRollbackLooks = 1_000;
    await brokenAfterGood();
    const done = await ended();
    expect(done.text).toMatch(/: rolled back to 1\.2\.3$/);
    expect(updates()).toBe(3);
  });
});
