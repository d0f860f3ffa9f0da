import { StopServiceDeploymentCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SkipClock } from '../fakes/skipClock.js';
import { FakeCloudWatch } from '../support/fakeCloudWatch.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { FakeServiceDeployments } from '../support/fakeServiceDeployments.js';
import { PROGRESSIVE_ENV } from './progressive.js';
import { World, body, yamlWith } from './scenario.js';

let w: World;
let clock: SkipClock;
let cw: FakeCloudWatch;
let aws: FakeEcs;

const ALARM = 'todobackend-5xx';
const ENV = PROGRESSIVE_ENV + `        verify: { alarms: [${ALARM}], bake: 10m, onAlarm: rollback }\n`;

beforeEach(() => {
  clock = new SkipClock();
  cw = new FakeCloudWatch(clock);
  cw.set(ALARM, 'OK');
  aws = new FakeEcs('todobackend-dev', { clock });
});
afterEach(async () => {
  await w?.stop();
  cw.restore();
  aws.restore();
});

describe('an alarm in a bake after an ECS service deployment', () => {
  it('ECS cannot roll back a SUCCESSFUL service deployment: Capstan redeploys the last verified version, no StopServiceDeployment', async () => {
    new FakeServiceDeployments(aws, [
      { stage: 'SCALE_UP' },
      { stage: 'PRODUCTION_TRAFFIC_SHIFT', prod: 100 },
      { stage: 'CLEAN_UP', prod: 100 },
    ]);
    w = await World.start(yamlWith(ENV), clock);
    await w.command('todobackend 1.2.3 to dev', 'C0DEV');
    await w.parentLater('C0DEV', '1.2.3', 'dev', /: verified$/, { stepMs: 60_000, timeoutMs: 20_000 });
    await w.command('todobackend 1.2.4-broken to dev', 'C0DEV');
    await w.parentLater('C0DEV', '1.2.4-broken', 'dev', /: verifying$/, { stepMs: 1_000, timeoutMs: 20_000 });
    const sd = (await w.last('dev')).tracking?.data as { sd: { status: string } };
    expect(sd.sd.status).toBe('SUCCESSFUL');
    cw.set(ALARM, 'ALARM', 'Threshold Crossed: 5xx above 1%');

    const done = await w.parentLater('C0DEV', '1.2.4-broken', 'dev', /: rolled back/, {
      stepMs: 1_000,
      timeoutMs: 20_000,
    });
    expect(done.text).toContain('rolled back to 1.2.3');
    expect(body(done)).toContain('Alarm `todobackend-5xx` went off: Threshold Crossed: 5xx above 1%');
    expect(aws.ecs.commandCalls(StopServiceDeploymentCommand)).toHaveLength(0);
    expect(aws.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(3);
    expect((await w.last('dev')).tracking?.rolledBackBy).toBeUndefined();
  });
});

describe('ECS’s own alarms (deploymentConfiguration.alarms)', () => {
  it('ECS rolls back on one of its alarms: the cause names that alarm first', async () => {
    new FakeServiceDeployments(aws, [
      { stage: 'SCALE_UP' },
      { stage: 'PRODUCTION_TRAFFIC_SHIFT', prod: 100 },
      {
        stage: 'BAKE_TIME',
        prod: 100,
        alarm: 'Rolling back: CloudWatch alarm went into ALARM.',
        triggered: ['todo-5xx'],
      },
    ]);
    w = await World.start(yamlWith(PROGRESSIVE_ENV), clock);
    await w.command('todobackend 1.2.3 to dev', 'C0DEV');
    const done = await w.parentLater('C0DEV', '1.2.3', 'dev', /: rolled back by ECS$/, {
      stepMs: 60_000,
      timeoutMs: 20_000,
    });
    expect(body(done)).toContain(
      '*Why:* :rotating_light: Alarm `todo-5xx` went off: ECS is rolling the deployment back: Rolling back: CloudWatch alarm went into ALARM.',
    );
  });
});
