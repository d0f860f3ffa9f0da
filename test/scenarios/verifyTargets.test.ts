import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SkipClock } from '../fakes/skipClock.js';
import { FakeBeanstalk } from '../support/fakeBeanstalk.js';
import { FakeCfn } from '../support/fakeCfn.js';
import { FakeCloudWatch } from '../support/fakeCloudWatch.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { BEANSTALK_ENV, World, body, cfnEnv, yamlWith } from './scenario.js';

let w: World;
let clock: SkipClock;
let cw: FakeCloudWatch;
let ecs: FakeEcs; // its ECR answers for the image tags
const restores: (() => void)[] = [];

const ALARM = 'todobackend-5xx';
const verify = (onAlarm = 'rollback') =>
  `        verify: { alarms: [${ALARM}], bake: 1m, onAlarm: ${onAlarm} }\n`;

beforeEach(() => {
  clock = new SkipClock();
  cw = new FakeCloudWatch(clock);
  cw.set(ALARM, 'OK');
  ecs = new FakeEcs('todobackend-dev', { clock });
});
afterEach(async () => {
  await w?.stop();
  for (const r of restores.splice(0)) r();
  cw.restore();
  ecs.restore();
});

const bakeOver = (channel: string, version: string, env: string, until: RegExp) =>
  w.parentLater(channel, version, env, until, { stepMs: 5_000, timeoutMs: 20_000 });

describe('verification is the same on every target', () => {
  it('CloudFormation: a release that succeeded bakes, then is verified', async () => {
    const cfn = new FakeCfn(clock);
    restores.push(() => cfn.restore());
    w = await World.start(yamlWith(cfnEnv() + verify()), clock);
    await w.command('todobackend 1.2.3 to prod', 'C0PROD');
    const baking = await w.parent('C0PROD', '1.2.3', 'prod', /: verifying$/);
    await bakeOver('C0PROD', '1.2.3', 'prod', /: verified$/);
    expect((await w.last('prod')).state).toBe('verified');
    await w.threadHas(baking, 'No alarm went off during the bake: verified.');
  });

  it('Elastic Beanstalk: an alarm in the bake rolls back to the last verified version, the alarm named', async () => {
    const eb = new FakeBeanstalk(clock);
    restores.push(() => eb.restore());
    eb.onUpdate = () => {
      eb.then(
        () => eb.event('Deploying new version to instance(s).'),
        () => {
          eb.event('Environment update completed successfully.');
          eb.set({ Status: 'Ready', Health: 'Green', HealthStatus: 'Ok' });
        },
      );
    };
    w = await World.start(yamlWith(BEANSTALK_ENV + verify()), clock);
    await w.command('todobackend 1.2.3 to staging', 'C0STAGING');
    await bakeOver('C0STAGING', '1.2.3', 'staging', /: verified$/);
    await w.command('todobackend 1.2.4 to staging', 'C0STAGING');
    await w.parent('C0STAGING', '1.2.4', 'staging', /: verifying$/);
    cw.set(ALARM, 'ALARM', 'Threshold Crossed: 5xx above 1%');
    const done = await w.parentLater('C0STAGING', '1.2.4', 'staging', /: rolled back/, {
      stepMs: 1_000,
    });
    expect(done.text).toContain('rolled back to 1.2.3');
    expect(body(done)).toContain(
      '*Why:* :rotating_light: Alarm `todobackend-5xx` went off: Threshold Crossed: 5xx above 1%',
    );
  });
});
