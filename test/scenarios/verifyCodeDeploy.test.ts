import { CreateDeploymentCommand, StopDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SkipClock } from '../fakes/skipClock.js';
import { FakeCloudWatch } from '../support/fakeCloudWatch.js';
import { FakeCodeDeploy } from '../support/fakeCodeDeploy.js';
import { responseTo } from '../support/harness.js';
import { CODEDEPLOY_ENV, World, body, yamlWith } from './scenario.js';

let w: World;
let clock: SkipClock;
let cw: FakeCloudWatch;
let cd: FakeCodeDeploy;

const ALARM = 'todobackend-5xx';
const ENV = CODEDEPLOY_ENV + `        verify: { alarms: [${ALARM}], bake: 1m, onAlarm: rollback }\n`;

beforeEach(() => {
  clock = new SkipClock();
  cw = new FakeCloudWatch(clock);
  cw.set(ALARM, 'OK');
  cd = new FakeCodeDeploy('Server', clock);
});
afterEach(async () => {
  await w?.stop();
  cw.restore();
  cd.restore();
});

const creates = () => cd.cd.commandCalls(CreateDeploymentCommand).length;
const stops = () => cd.cd.commandCalls(StopDeploymentCommand);

/** 1.2.3 verified, then 1.2.4-broken rolled out and baking. */
async function baking(): Promise<void> {
  w = await World.start(yamlWith(ENV), clock);
  await w.command('todobackend 1.2.3 to fleet', 'C0FLEET');
  await w.parentLater('C0FLEET', '1.2.3', 'fleet', /: verified$/, { stepMs: 5_000, timeoutMs: 20_000 });
  await w.command('todobackend 1.2.4-broken to fleet', 'C0FLEET');
  await w.parent('C0FLEET', '1.2.4-broken', 'fleet', /: verifying$/);
}

describe('an alarm in a bake on CodeDeploy rolls back through CodeDeploy where it still can', () => {
  it('blue/green in its termination wait: StopDeployment with CodeDeploy’s rollback, followed to its end, no redeploy', async () => {
    cd.behave('1.2.4-broken', 'terminationWait');
    await baking();
    const broken = (await w.last('fleet')).tracking?.data as { deploymentId: string };
    cw.set(ALARM, 'ALARM', 'Threshold Crossed: 5xx above 1%');

    const done = await w.parentLater('C0FLEET', '1.2.4-broken', 'fleet', /: rolled back/, { stepMs: 1_000 });
    expect(body(done)).toContain(
      '*Why:* :rotating_light: Alarm `todobackend-5xx` went off: Threshold Crossed: 5xx above 1%',
    );
    expect(stops().map((c) => c.args[0].input)).toEqual([
      { deploymentId: broken.deploymentId, autoRollbackEnabled: true },
    ]);
    expect(creates()).toBe(2); // 1.2.3 and 1.2.4-broken: CodeDeploy's rollback is its own
    const d = await w.last('fleet');
    expect(d.state).toBe('rolled_back');
    expect(d.tracking?.rolledBackBy).toBe('CodeDeploy');
    const followed = d.tracking?.data as { deploymentId: string; rollbackOf?: string };
    expect(followed.rollbackOf).toBe(broken.deploymentId);
    expect(followed.deploymentId).toBe(
      cd.deployments.get(broken.deploymentId)!.info.rollbackInfo?.rollbackDeploymentId,
    );
  });

  it('a deployment that Succeeded has no rollback of CodeDeploy’s own: Capstan redeploys the last verified version', async () => {
    await baking();
    cw.set(ALARM, 'ALARM', 'Threshold Crossed: 5xx above 1%');

    const done = await w.parentLater('C0FLEET', '1.2.4-broken', 'fleet', /: rolled back/, { stepMs: 1_000 });
    expect(done.text).toContain('rolled back to 1.2.3');
    expect(stops()).toHaveLength(0);
    expect(creates()).toBe(3);
    expect((await w.last('fleet')).tracking?.rolledBackBy).toBeUndefined();
  });

  it('Roll back clicked during the bake in the termination wait: CodeDeploy’s rollback too, saying who asked', async () => {
    cd.behave('1.2.4-broken', 'terminationWait');
    await baking();
    const { id } = await w.last('fleet');
    const m = await w.h.slack.waitFor(() => {
      const x = w.current('C0FLEET', '1.2.4-broken', 'fleet');
      return body(x).includes('capstan_bake_rollback') ? x : undefined;
    });
    const r = await w.h.click({ actionId: 'capstan_bake_rollback', value: id, user: 'U0CAROL', message: m });
    expect(JSON.stringify(await responseTo(w.h.slack, r.responseUrl))).toContain('Rolling');

    const done = await w.parentLater('C0FLEET', '1.2.4-broken', 'fleet', /: rolled back/, { stepMs: 1_000 });
    expect(body(done)).toContain('<@U0CAROL> asked to roll back during the verification');
    expect(stops()).toHaveLength(1);
    expect(creates()).toBe(2);
    expect((await w.last('fleet')).tracking?.rolledBackBy).toBe('CodeDeploy');
  });
});

describe('CodeDeploy’s own alarms (the group’s alarmConfiguration)', () => {
  it('CodeDeploy stops a deployment on its alarm and rolls back: the cause names that alarm first', async () => {
    cd.group.alarmConfiguration = { enabled: true, alarms: [{ name: 'todo-latency' }, { name: 'todo-5xx' }] };
    cd.group.autoRollbackConfiguration = { enabled: true, events: ['DEPLOYMENT_STOP_ON_ALARM'] };
    cd.behave('1.2.4-broken', 'stuck');
    w = await World.start(
      yamlWith(CODEDEPLOY_ENV.replace('rolloutTimeout: 1s', 'rolloutTimeout: 10m')),
      clock,
    );
    await w.command('todobackend 1.2.4-broken to fleet', 'C0FLEET');
    await w.parent('C0FLEET', '1.2.4-broken', 'fleet', /rolling out/);
    const id = (await w.last('fleet')).tracking?.data as { deploymentId: string };
    cd.alarm(id.deploymentId, 'todo-5xx');

    const done = await w.parentLater('C0FLEET', '1.2.4-broken', 'fleet', /: rolled back by CodeDeploy$/, {
      stepMs: 1_000,
    });
    expect(body(done)).toContain(
      `*Why:* :rotating_light: Alarm \`todo-5xx\` went off: CodeDeploy stopped deployment \`${id.deploymentId}\``,
    );
    expect(creates()).toBe(1);
  });
});
