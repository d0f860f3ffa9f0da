import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SkipClock } from '../fakes/skipClock.js';
import { FakeCloudWatch } from '../support/fakeCloudWatch.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { World, body, yamlWith } from './scenario.js';

let w: World;
let ecs: FakeEcs;
let cw: FakeCloudWatch;
let clock: SkipClock;

const FIVE_XX = 'todobackend-dev-5xx';
const LATENCY = 'todobackend-dev-latency';

const env = (onAlarm = 'rollback') => `
      dev:
        channel: C0DEV
        ecs: { region: us-east-1, cluster: todo-dev, service: todobackend-dev, container: app, repository: todobackend }
        policy: { deployers: ["*"], approvers: [U0BOB] }
        rolloutTimeout: 1s
        verify: { alarms: [${FIVE_XX}, "todobackend-dev-l*"], bake: 1m, onAlarm: ${onAlarm} }
`;

beforeEach(() => {
  clock = new SkipClock();
  ecs = new FakeEcs('todobackend-dev', { clock });
  cw = new FakeCloudWatch(clock);
  cw.set(FIVE_XX, 'OK');
  cw.set(LATENCY, 'INSUFFICIENT_DATA');
});
afterEach(async () => {
  await w?.stop();
  ecs.restore();
  cw.restore();
});

const start = async (onAlarm?: string) => {
  w = await World.start(yamlWith(env(onAlarm)), clock);
};

async function deploy(version: string) {
  const answer = await w.command(`todobackend ${version} to dev`, 'C0DEV');
  expect(answer).toContain(`\`${version}\``);
}

/** Time passes in 5 s steps: a bake of a minute takes a dozen. */
const bakeOver = (version: string, until: RegExp) =>
  w.parentLater('C0DEV', version, 'dev', until, { stepMs: 5_000, timeoutMs: 20_000 });

describe('verification: alarms watched for a bake after the rollout succeeds', () => {
  it('a clean bake ends verified, never before its end, with each alarm and its state shown meanwhile', async () => {
    await start();
    await deploy('1.2.3');
    const baking = await w.parent('C0DEV', '1.2.3', 'dev', /: verifying$/);
    const shown = await w.h.slack.waitFor(() => {
      const m = w.current('C0DEV', '1.2.3', 'dev');
      return body(m).includes(FIVE_XX) ? m : undefined;
    });
    expect(body(shown)).toContain('min left');
    expect(body(shown)).toMatch(/todobackend-dev-latency` insufficient data \(shown, not a failure\)/);
    expect(body(shown)).toContain('capstan_bake_complete');
    const during = await w.last('dev');
    expect(during.state).toBe('verifying');
    const endsAt = during.verification!.endsAt;
    expect(endsAt - during.verification!.startedAt).toBe(60_000);
    expect(await w.command('status todobackend dev', 'C0DEV')).toContain('verifying');

    const done = await bakeOver('1.2.3', /: verified$/);
    const d = await w.last('dev');
    expect(d.state).toBe('verified');
    expect(d.finishedAt!).toBeGreaterThanOrEqual(endsAt);
    expect(body(done)).not.toContain('capstan_bake_');
    expect(await w.threadHas(baking, 'No alarm went off during the bake: verified.')).toContain(FIVE_XX);
    w.expectPath('C0DEV', '1.2.3', 'dev', ['checking', 'rolling out', 'verifying', 'verified']);
    const history = await w.command('history todobackend dev', 'C0DEV');
    expect(history).toContain('verified');
    expect(history).not.toContain('succeeded');
  });

  it('a bake in progress survives a restart: the new process ends it at the recorded end, once', async () => {
    await start();
    await deploy('1.2.3');
    const baking = await w.parent('C0DEV', '1.2.3', 'dev', /: verifying$/);
    const endsAt = (await w.last('dev')).verification!.endsAt;
    await w.restart();
    await bakeOver('1.2.3', /: verified$/);
    const d = await w.last('dev');
    expect(d.state).toBe('verified');
    expect(d.verification!.endsAt).toBe(endsAt);
    expect(d.finishedAt!).toBeGreaterThanOrEqual(endsAt);
    const thread = await w.threadHas(baking, 'is verified');
    expect(thread.match(/is verified/g)).toHaveLength(1);
    expect(thread.match(/verified\./g)).toHaveLength(1);
  });

  it('a replica killed in the middle of a look: the next one carries the same bake on, and ends it once', async () => {
    await start();
    await deploy('1.2.3');
    const baking = await w.parent('C0DEV', '1.2.3', 'dev', /: verifying$/);
    const endsAt = (await w.last('dev')).verification!.endsAt;
    const held = w.gate();
    cw.beforeDescribe = () => held.wait();
    await w.until(() => held.reached);
    cw.beforeDescribe = undefined;
    await w.crash(() => held.fail());
    await bakeOver('1.2.3', /: verified$/);
    const d = await w.last('dev');
    expect(d.finishedAt!).toBeGreaterThanOrEqual(endsAt);
    const thread = await w.threadHas(baking, 'is verified');
    expect(thread.match(/is verified/g)).toHaveLength(1);
  });

  it('alarms that cannot be read are said once, and the bake does not end until they are read again', async () => {
    await start();
    await deploy('1.2.3');
    const baking = await w.parent('C0DEV', '1.2.3', 'dev', /: verifying$/);
    const endsAt = (await w.last('dev')).verification!.endsAt;
    cw.beforeDescribe = () => {
      throw Object.assign(
        new Error('User: capstan is not authorized to perform: cloudwatch:DescribeAlarms'),
        {
          name: 'AccessDenied',
          $metadata: {},
        },
      );
    };
    const thread = await w.threadHas(baking, 'cloudwatch:DescribeAlarms');
    expect(thread).toContain('the alarms of this verification');
    await w.passUntil(() => clock.now() > endsAt + 30_000, { stepMs: 5_000 });
    const stuck = await w.last('dev');
    expect(stuck.state).toBe('verifying');
    expect(stuck.verification!.unreadableSince).toBeDefined();
    expect(body(w.current('C0DEV', '1.2.3', 'dev'))).toContain('could not be read since');
    expect(w.thread(baking).match(/Could not read the alarms of this verification/g)).toHaveLength(1);
    cw.beforeDescribe = undefined;
    await bakeOver('1.2.3', /: verified$/);
    expect((await w.last('dev')).verification!.unreadableSince).toBeUndefined();
  });

  it('an alarm in the bake rolls back at once to the last verified version, the alarm and its reason named first', async () => {
    await start();
    await deploy('1.2.3');
    await bakeOver('1.2.3', /: verified$/);
    await deploy('1.2.4-broken');
    await w.parent('C0DEV', '1.2.4-broken', 'dev', /: verifying$/);
    cw.set(FIVE_XX, 'ALARM', 'Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).');

    const done = await w.parentLater('C0DEV', '1.2.4-broken', 'dev', /: rolled back/, { stepMs: 1_000 });
    expect(done.text).toContain('rolled back to 1.2.3');
    const why = body(done);
    expect(why).toMatch(
      /\*Why:\* :rotating_light: Alarm `todobackend-dev-5xx` went off: Threshold Crossed: 1 datapoint \[12\.0\]/,
    );
    const d = await w.last('dev');
    expect(d.state).toBe('rolled_back');
    expect(d.rollbackVersion).toBe('1.2.3');
    expect(d.verification?.decision?.kind).toBe('alarm');
    // The thread says why too, before the rollback line: the alarm first.
    const thread = await w.threadHas(done, 'Rolling back to `1.2.3`');
    const alarm = thread.indexOf(':rotating_light: Alarm `todobackend-dev-5xx` went off: Threshold Crossed');
    expect(alarm).toBeGreaterThanOrEqual(0);
    expect(alarm).toBeLessThan(thread.indexOf('Rolling back to `1.2.3`'));
  });

  it('an alarm that went OK → ALARM → OK between two looks is not lost: its history shows it', async () => {
    await start();
    await deploy('1.2.3');
    await bakeOver('1.2.3', /: verified$/);
    await deploy('1.2.4-broken');
    await w.parent('C0DEV', '1.2.4-broken', 'dev', /: verifying$/);
    await w.h.slack.waitFor(
      () => body(w.current('C0DEV', '1.2.4-broken', 'dev')).includes(FIVE_XX) || undefined,
    );
    cw.set(FIVE_XX, 'ALARM', 'Threshold Crossed: a spike');
    cw.set(FIVE_XX, 'OK', 'Threshold Crossed: back to normal');

    const done = await w.parentLater('C0DEV', '1.2.4-broken', 'dev', /: rolled back/, { stepMs: 1_000 });
    expect(body(done)).toContain(
      'Alarm `todobackend-dev-5xx` went off (and was back to OK when Capstan looked): Threshold Crossed: a spike',
    );
    expect((await w.last('dev')).verification?.tripped?.flapped).toBe(true);
  });
});

describe('verification starts from a clean signal', () => {
  it('an alarm already in ALARM refuses the deploy, naming it; nothing is recorded or changed', async () => {
    cw.set(FIVE_XX, 'ALARM', 'Threshold Crossed: errors above 5%.');
    await start();
    const answer = await w.command('todobackend 1.2.3 to dev', 'C0DEV');
    expect(answer).toContain(
      'Not deployed: `todobackend-dev-5xx` is in ALARM (Threshold Crossed: errors above 5%)',
    );
    expect(answer).toContain('--override');
    expect(await w.ledger('dev')).toEqual([]);
    expect(ecs.service.taskDefinition).toContain(':41');
  });

  it("an admin's --override goes through, announced in the thread and recorded", async () => {
    cw.set(FIVE_XX, 'ALARM', 'Threshold Crossed');
    await start();
    const refused = await w.command(
      'todobackend 1.2.3 to dev --override "hotfix for it"',
      'C0DEV',
      'U0ALICE',
    );
    expect(refused).toContain('Not deployed');
    await w.command('todobackend 1.2.3 to dev --override "hotfix for <it>"', 'C0DEV', 'U0ADMIN');
    const m = await w.parent('C0DEV', '1.2.3', 'dev', /: (rolling out|verifying)$/);
    expect(await w.threadHas(m, 'deployed although')).toContain(
      '<@U0ADMIN> deployed although `todobackend-dev-5xx` is in ALARM: hotfix for &lt;it&gt;',
    );
    expect((await w.last('dev')).alarmOverride).toEqual({
      by: 'U0ADMIN',
      reason: 'hotfix for <it>',
      alarms: [FIVE_XX],
    });
  });

  it('an alarm pattern that matches nothing is a configuration error, said before anything starts', async () => {
    cw.alarms.delete(LATENCY);
    await start();
    const answer = await w.command('todobackend 1.2.3 to dev', 'C0DEV');
    expect(answer).toContain('match nothing in CloudWatch (us-east-1): `todobackend-dev-l*`');
    expect(await w.ledger('dev')).toEqual([]);
  });
});
