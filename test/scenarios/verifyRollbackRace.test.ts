import { afterEach, beforeEach, expect, it } from 'vitest';
import { SkipClock } from '../fakes/skipClock.js';
import { FakeCloudWatch } from '../support/fakeCloudWatch.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { World, body } from './scenario.js';
import { yamlWith } from './scenario.js';

let w: World;
let ecs: FakeEcs;
let cw: FakeCloudWatch;
let clock: SkipClock;

const FIVE_XX = 'todobackend-dev-5xx';

beforeEach(() => {
  clock = new SkipClock();
  ecs = new FakeEcs('todobackend-dev', { clock });
  cw = new FakeCloudWatch(clock);
  cw.set(FIVE_XX, 'OK');
});
afterEach(async () => {
  await w?.stop();
  ecs.restore();
  cw.restore();
});

it("a rollback an alarm started is not taken for the rollout's success while it starts: one bake, one rollback", async () => {
  w = await World.start(
    yamlWith(`
      dev:
        channel: C0DEV
        ecs: { region: us-east-1, cluster: todo-dev, service: todobackend-dev, container: app, repository: todobackend }
        policy: { deployers: ["*"] }
        rolloutTimeout: 1m
        verify: { alarms: [${FIVE_XX}], bake: 1m }
`),
    clock,
  );
  await w.command('todobackend 1.2.3 to dev', 'C0DEV');
  await w.parentLater('C0DEV', '1.2.3', 'dev', /: verified$/, { stepMs: 5_000, timeoutMs: 20_000 });
  await w.command('todobackend 1.2.4-broken to dev', 'C0DEV');
  const baking = await w.parent('C0DEV', '1.2.4-broken', 'dev', /: verifying$/);
  // Capstan's rollback is held before it reaches ECS, while polls go on and see the broken rollout done.
  const held = w.gate();
  ecs.beforeUpdate = () => held.wait();
  cw.set(FIVE_XX, 'ALARM', 'Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).');
  await w.passUntil(() => held.reached, { stepMs: 1_000 });
  // Polls go on meanwhile (a few seconds of them), and see the broken rollout done.
  const rounds = clock.loopRounds(20);
  await w.passUntil(() => clock.loopRounds(20) > rounds + 10, { stepMs: 1_000 });
  expect((await w.last('dev')).state).toBe('rolling_back');
  ecs.beforeUpdate = undefined;
  held.open();

  const done = await w.parentLater('C0DEV', '1.2.4-broken', 'dev', /: rolled back/, { stepMs: 1_000 });
  expect(done.text).toContain('rolled back to 1.2.3');
  expect(body(done)).toContain('Alarm `todobackend-dev-5xx` went off');
  const thread = await w.threadHas(baking, 'rolled back');
  expect(thread.match(/now verifying until/g)).toHaveLength(1);
  expect(thread.match(/Rolling back to/g)).toHaveLength(1);
  w.expectPath('C0DEV', '1.2.4-broken', 'dev', [
    'checking',
    'rolling out',
    'verifying',
    'rolling back',
    'rolled back to 1.2.3',
  ]);
});
