import { StopServiceDeploymentCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SkipClock } from '../fakes/skipClock.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { FakeServiceDeployments, blueGreen, canary, linear } from '../support/fakeServiceDeployments.js';
import { startProgressive } from './progressive.js';
import { type World, body } from './scenario.js';

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

/** Lets ECS's minutes pass in one-minute steps, with a look between each. */
const minutes = { stepMs: 60_000, timeoutMs: 20_000 };

describe('ECS service deployments (BLUE_GREEN, LINEAR, CANARY): followed by ARN, stage by stage', () => {
  it('a blue/green deployment whose pause times out with CONTINUE bakes for longer than rolloutTimeout and succeeds', async () => {
    const sd = new FakeServiceDeployments(aws, blueGreen('CONTINUE'));
    w = await startProgressive(clock);
    await w.command('todobackend 1.2.3 to dev', 'C0DEV');
    const paused = await w.parentLater('C0DEV', '1.2.3', 'dev', /paused at/);
    expect(body(paused)).toContain('ECS continues by itself at <!date^');
    const done = await w.parentLater('C0DEV', '1.2.3', 'dev', /: succeeded$/, minutes);
    const thread = await w.threadHas(done, 'cleaning up the old revision');
    // Each stage once, in order, with ECS's timeout said.
    for (const said of [
      'ECS BLUE_GREEN deployment `sd1` started',
      'shifting test traffic, 100% of test traffic',
      'Paused at test traffic on the new revision',
      'Nobody decided at test traffic on the new revision in time: ECS continued by itself.',
      'shifting production traffic, 100% of production traffic',
      'baking with both revisions up, 100% of production traffic, until <!date^',
    ])
      expect(thread.split(said).length - 1, said).toBe(1);
    expect(thread.indexOf('shifting test traffic')).toBeLessThan(thread.indexOf('baking'));
    const d = await w.last('dev');
    expect(d.state).toBe('succeeded');
    expect((d.tracking?.data as { sd: { arn: string } }).sd.arn).toBe(sd.current.arn);
    // The bake took ten of ECS's minutes: Capstan's one-second timeout never ran out over it.
    expect(d.finishedAt! - d.createdAt).toBeGreaterThan(10 * 60_000);
  });

  it('a hook that times out with ROLLBACK ends "rolled back by ECS", with ECS’s reason', async () => {
    new FakeServiceDeployments(aws, blueGreen('ROLLBACK'));
    w = await startProgressive(clock);
    await w.command('todobackend 1.2.3 to dev', 'C0DEV');
    const done = await w.parentLater('C0DEV', '1.2.3', 'dev', /: rolled back by ECS$/, minutes);
    expect(body(done)).toContain('ECS is rolling the deployment back: A lifecycle hook timed out.');
    await w.threadHas(done, 'in time: ECS rolled back by itself');
    expect((await w.last('dev')).state).toBe('rolled_back');
  });

  it('ECS rolling back by itself during the bake (an alarm) is followed to ROLLBACK_SUCCESSFUL, and Capstan starts nothing', async () => {
    const steps = blueGreen('CONTINUE').filter((s) => !s.pause);
    steps.splice(3, 0, {
      stage: 'BAKE_TIME',
      prod: 100,
      alarm: 'CloudWatch alarm todo-5xx went into ALARM.',
    });
    new FakeServiceDeployments(aws, steps);
    w = await startProgressive(clock);
    await w.command('todobackend 1.2.3 to dev', 'C0DEV');
    const done = await w.parentLater('C0DEV', '1.2.3', 'dev', /: rolled back by ECS$/, minutes);
    expect(body(done)).toContain('CloudWatch alarm todo-5xx went into ALARM.');
    expect((await w.last('dev')).state).toBe('rolled_back');
  });

  it('a linear deployment shows each step’s share of production traffic once, and succeeds', async () => {
    new FakeServiceDeployments(aws, linear(), 'LINEAR');
    w = await startProgressive(clock);
    await w.command('todobackend 1.2.3 to dev', 'C0DEV');
    const done = await w.parentLater('C0DEV', '1.2.3', 'dev', /: succeeded$/, minutes);
    const thread = await w.threadHas(done, 'cleaning up');
    expect(thread.split('shifting production traffic, 50% of production traffic').length - 1).toBe(1);
    expect(thread.split('shifting production traffic, 100% of production traffic').length - 1).toBe(1);
  });

  it('a canary deployment shows the canary’s share (with the end of its bake), then 100 %, and succeeds', async () => {
    const sd = new FakeServiceDeployments(aws, canary(), 'CANARY');
    w = await startProgressive(clock);
    await w.command('todobackend 1.2.3 to dev', 'C0DEV');
    const shown = await w.parentLater('C0DEV', '1.2.3', 'dev', /10% of production traffic/, minutes);
    // The parent shows the canary's share while it bakes, with when ECS's canary bake ends.
    expect(body(shown)).toMatch(/10% of production traffic, until <!date\^/);
    const done = await w.parentLater('C0DEV', '1.2.3', 'dev', /: succeeded$/, minutes);
    const thread = await w.threadHas(done, 'cleaning up');
    expect(thread).toContain('ECS CANARY deployment `sd1` started');
    for (const said of [
      'shifting production traffic, 10% of production traffic, until <!date^',
      'shifting production traffic, 100% of production traffic',
    ])
      expect(thread.split(said).length - 1, said).toBe(1);
    expect(thread.indexOf('10% of production traffic')).toBeLessThan(
      thread.indexOf('100% of production traffic'),
    );
    expect(sd.current.status).toBe('SUCCESSFUL');
    expect((await w.last('dev')).state).toBe('succeeded');
  });

  it('a deployment that stops moving before any pause or bake meets rolloutTimeout, and Capstan rolls it back through ECS', async () => {
    const sd = new FakeServiceDeployments(aws, [{ stage: 'SCALE_UP', stuck: true }, ...blueGreen().slice(1)]);
    w = await startProgressive(clock);
    await w.command('todobackend 1.2.3 to dev', 'C0DEV');
    const done = await w.parentLater('C0DEV', '1.2.3', 'dev', /: rolled back by ECS$/);
    expect(body(done)).toContain('no progress for 1s');
    expect(aws.ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(1);
    expect(aws.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(sd.current.status).toBe('ROLLBACK_SUCCESSFUL');
  });

  it('someone else’s deployment stopping Capstan’s is "superseded", never rolled back over', async () => {
    const sd = new FakeServiceDeployments(aws, blueGreen('ROLLBACK'));
    w = await startProgressive(clock);
    await w.command('todobackend 1.2.3 to dev', 'C0DEV');
    await w.parentLater('C0DEV', '1.2.3', 'dev', /paused at/);
    sd.start('arn:aws:ecs:us-east-1:123456789012:task-definition/todobackend:99', undefined);
    const done = await w.parent('C0DEV', '1.2.3', 'dev', /superseded/);
    expect(body(done)).toContain('superseded');
    expect((await w.last('dev')).state).toBe('superseded');
  });
});
