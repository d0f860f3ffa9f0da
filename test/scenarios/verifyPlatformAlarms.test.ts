import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SkipClock } from '../fakes/skipClock.js';
import { FakeCloudWatch } from '../support/fakeCloudWatch.js';
import { FakeCfn } from '../support/fakeCfn.js';
import { FakeCodeDeploy } from '../support/fakeCodeDeploy.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { CODEDEPLOY_ENV, ECS_ENVS, World, body, cfnEnv, yamlWith } from './scenario.js';

let w: World | undefined;
let clock: SkipClock;
let cw: FakeCloudWatch;
const restores: (() => void)[] = [];

beforeEach(() => {
  clock = new SkipClock();
  cw = new FakeCloudWatch(clock);
  cw.set('todo-5xx', 'OK');
});
afterEach(async () => {
  await w?.stop();
  w = undefined;
  for (const r of restores.splice(0)) r();
  cw.restore();
});

describe("the platform's own alarm rollback is shown, and how it compares with verify.alarms", () => {
  it("ECS deploymentConfiguration.alarms: on the deploy's message and in status for the environment", async () => {
    const ecs = new FakeEcs('todobackend-dev', { clock });
    restores.push(() => ecs.restore());
    ecs.alarms = { alarmNames: ['todo-5xx', 'todo-<latency>'], enable: true, rollback: true };
    const env = ECS_ENVS.replace(
      'rolloutTimeout: 1s\n',
      'rolloutTimeout: 1s\n        verify: { alarms: [todo-5xx], bake: 1m }\n',
    );
    w = await World.start(yamlWith(env), clock);
    await w.command('todobackend 1.2.3 to dev', 'C0DEV');
    const m = await w.parent('C0DEV', '1.2.3', 'dev', /: (rolling out|verifying)/);
    expect(body(m)).toContain(
      ":shield: ECS rolls back on alarm: `todo-5xx`, `todo-&lt;latency&gt;`. Capstan's bake also watches `todo-5xx`.",
    );
    expect(await w.command('status todobackend dev', 'C0DEV')).toContain(
      ':shield: ECS rolls back on alarm: `todo-5xx`, `todo-&lt;latency&gt;`.',
    );
    // The whole matrix stays short: only the one environment's status says it.
    expect(await w.command('status todobackend', 'C0DEV')).not.toContain(':shield:');
  });

  it("CloudFormation's rollback triggers the stack holds: in status for the environment, not in the matrix", async () => {
    const cfn = new FakeCfn(clock);
    restores.push(() => cfn.restore());
    const ecs = new FakeEcs('todobackend-dev', { clock });
    restores.push(() => ecs.restore());
    w = await World.start(yamlWith(cfnEnv()), clock);
    // No trigger on the stack: nothing said.
    expect(await w.command('status todobackend prod', 'C0PROD')).not.toContain(':shield:');
    cfn.rollbackConfiguration = {
      RollbackTriggers: [
        { Arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:todo-<5xx>', Type: 'AWS::CloudWatch::Alarm' },
      ],
      MonitoringTimeInMinutes: 10,
    };
    expect(await w.command('status todobackend prod', 'C0PROD')).toContain(
      ':shield: CloudFormation rolls back on alarm during the update and 10 min after it: `todo-&lt;5xx&gt;`.',
    );
    expect(await w.command('status todobackend', 'C0PROD')).not.toContain(':shield:');
  });

  it('ECS alarms that are off are not shown', async () => {
    const ecs = new FakeEcs('todobackend-dev', { clock });
    restores.push(() => ecs.restore());
    ecs.alarms = { alarmNames: ['todo-5xx'], enable: false, rollback: true };
    w = await World.start(yamlWith(ECS_ENVS), clock);
    await w.command('todobackend 1.2.3 to dev', 'C0DEV');
    const m = await w.parent('C0DEV', '1.2.3', 'dev', /: succeeded$/);
    expect(body(m)).not.toContain(':shield:');
  });

  it("CodeDeploy's alarmConfiguration, with the group's rollback on alarm: on the message and in status", async () => {
    const cd = new FakeCodeDeploy('Server', clock);
    restores.push(() => cd.restore());
    cd.group.alarmConfiguration = {
      enabled: true,
      ignorePollAlarmFailure: true,
      alarms: [{ name: 'todo-latency' }, { name: 'todo-5xx' }],
    };
    cd.group.autoRollbackConfiguration = { enabled: true, events: ['DEPLOYMENT_STOP_ON_ALARM'] };
    w = await World.start(yamlWith(CODEDEPLOY_ENV), clock);
    await w.command('todobackend 1.2.3 to fleet', 'C0FLEET');
    const m = await w.parent('C0FLEET', '1.2.3', 'fleet', /: (rolling out|succeeded)/);
    const said =
      ':shield: CodeDeploy stops and rolls back on alarm: `todo-latency`, `todo-5xx` (it goes on when it cannot read them).';
    expect(body(m)).toContain(said);
    // This environment has no `verify`: nothing is said of Capstan's bake.
    expect(body(m)).not.toContain("Capstan's bake");
    expect(await w.command('status todobackend fleet', 'C0FLEET')).toContain(said);
  });
});
