import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../sandbox/slackApi.js';
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

const ENV = `
      dev:
        channel: C0DEV
        ecs: { region: us-east-1, cluster: todo-dev, service: todobackend-dev, container: app, repository: todobackend }
        policy: { deployers: ["*"], approvers: [U0BOB] }
        rolloutTimeout: 1s
        verify: { alarms: [${FIVE_XX}, "todobackend-dev-l*"], bake: 1m }
`;

beforeEach(async () => {
  clock = new SkipClock();
  ecs = new FakeEcs('todobackend-dev', { clock });
  cw = new FakeCloudWatch(clock);
  cw.set(FIVE_XX, 'OK');
  cw.set(LATENCY, 'OK');
  w = await World.start(yamlWith(ENV), clock);
});
afterEach(async () => {
  await w?.stop();
  ecs.restore();
  cw.restore();
});

const FIRING = 'Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).';

/** A deploy of `version` (as `user`, with what follows it on the command line) that bakes to its end. */
async function deployed(version: string, end: RegExp, user = 'U0ALICE', extra = ''): Promise<StoredMessage> {
  await w.command(`todobackend ${version} to dev${extra}`, 'C0DEV', user);
  return bakeEnds(version, end);
}

const bakeEnds = (version: string, end: RegExp) =>
  w.parentLater('C0DEV', version, 'dev', end, { stepMs: 10_000, timeoutMs: 20_000 });

/** The parent message once it shows the alarms read by the bake's first look. */
const showing = (version: string, text: string) =>
  w.h.slack.waitFor(() => {
    const m = w.h.slack
      .channelMessages('C0DEV')
      .find((x) => x.text.includes(` ${version} to dev: verifying`) && body(x).includes(text));
    return m;
  });

/** 1.2.1 verified, then 1.2.3 verified; then the 5xx alarm fires (after the bake: nothing happens by itself). */
async function verifiedTwiceThenAlarm(): Promise<void> {
  await deployed('1.2.1', /: verified$/);
  await deployed('1.2.3', /: verified$/);
  cw.set(FIVE_XX, 'ALARM', FIRING);
}

describe('an alarm already in ALARM before the deploy began never trips its bake', () => {
  it('/deploy rollback while the alarm fires: not undone; the alarm shown as already firing; verified once it is OK', async () => {
    await verifiedTwiceThenAlarm();
    const answer = await w.command('rollback todobackend dev', 'C0DEV');
    expect(answer).toContain('1.2.1');
    const baking = await showing('1.2.1', 'already in ALARM before this deploy');
    expect(baking.text).toMatch(/^rollback of/);
    expect(body(baking)).toContain(
      ':red_circle: `todobackend-dev-5xx` ALARM, already in ALARM before this deploy: Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0)',
    );
    const looked = (await w.last('dev')).verification!.lookedAt!;
    await w.passUntil(() => clock.now() > looked + 20_000, { stepMs: 5_000 });
    const during = await w.last('dev');
    expect(during.state).toBe('verifying');
    expect(during.verification!.tripped).toBeUndefined();

    cw.set(FIVE_XX, 'OK', 'Threshold Crossed: back to normal');
    const done = await bakeEnds('1.2.1', /^rollback of .*: verified$/);
    const d = await w.last('dev');
    expect(d.kind).toBe('rollback');
    expect(d.state).toBe('verified');
    expect(d.rollbackVersion).toBeUndefined();
    expect(await w.threadHas(done, 'verified.')).toContain('No alarm went off during the bake');
  });

  it('/deploy rollback while the alarm stays in ALARM: succeeded, not verified, naming the alarm', async () => {
    await verifiedTwiceThenAlarm();
    await w.command('rollback todobackend dev', 'C0DEV');
    const done = await bakeEnds('1.2.1', /^rollback of .*: succeeded, not verified$/);
    expect(body(done)).toContain(
      ':warning: Not verified: `todobackend-dev-5xx` (Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0)) is still in ALARM, as it was before this deploy.',
    );
    const d = await w.last('dev');
    expect(d.state).toBe('succeeded');
    expect(d.cause).toMatchObject({ kind: 'verify.stillInAlarm', alarms: [{ name: FIVE_XX }] });
    expect(await w.threadHas(done, 'your rollback of')).toContain('Not verified');
  });

  it('a new alarm in the bake of a rollback asks people instead of rolling the rollback back', async () => {
    await verifiedTwiceThenAlarm();
    await w.command('rollback todobackend dev', 'C0DEV');
    const baking = await showing('1.2.1', 'already in ALARM before this deploy');
    cw.set(LATENCY, 'ALARM', 'Threshold Crossed: p99 above 2s');
    const asking = await w.passUntil(() => {
      const m = w.h.slack.channelMessages('C0DEV').find((x) => x.ts === baking.ts);
      return m && body(m).includes('capstan_bake_keep') ? m : undefined;
    });
    expect(body(asking)).toContain(
      'Alarm `todobackend-dev-latency` went off: Threshold Crossed: p99 above 2s',
    );
    expect(await w.threadHas(baking, 'waits for you')).toContain(
      'This is a rollback: Capstan does not roll it back again by itself.',
    );
    const d = await w.last('dev');
    expect(d.state).toBe('verifying');
    expect(d.verification).toMatchObject({ onAlarm: 'ask', tripped: { alarm: LATENCY } });
    expect(d.verification!.decision).toBeUndefined();
  });

  it("an admin's override of a firing alarm is not rolled back by it: it ends succeeded, naming the alarm", async () => {
    await deployed('1.2.3', /: verified$/);
    cw.set(FIVE_XX, 'ALARM', FIRING);
    const done = await deployed(
      '1.2.4-broken',
      /: (succeeded.*|rolled back.*)$/,
      'U0ADMIN',
      ' --override "hotfix"',
    );
    expect(done.text).toMatch(/: succeeded, not verified$/);
    expect(body(done)).toContain('Not verified: `todobackend-dev-5xx`');
    const d = await w.last('dev');
    expect(d.state).toBe('succeeded');
    expect(d.alarmOverride?.alarms).toEqual([FIVE_XX]);
    expect(d.verification!.tripped).toBeUndefined();
  });

  it('the overridden alarm going OK, then back to ALARM during the bake trips it as usual', async () => {
    await deployed('1.2.3', /: verified$/);
    cw.set(FIVE_XX, 'ALARM', FIRING);
    await w.command('todobackend 1.2.4-broken to dev --override "hotfix"', 'C0DEV', 'U0ADMIN');
    await showing('1.2.4-broken', 'already in ALARM before this deploy');
    cw.set(FIVE_XX, 'OK', 'Threshold Crossed: back to normal');
    cw.set(FIVE_XX, 'ALARM', 'Threshold Crossed: errors again');

    const done = await w.parentLater('C0DEV', '1.2.4-broken', 'dev', /: rolled back/, { stepMs: 1_000 });
    expect(done.text).toContain('rolled back to 1.2.3');
    expect(body(done)).toContain(
      '*Why:* :rotating_light: Alarm `todobackend-dev-5xx` went off: Threshold Crossed: errors again',
    );
  });
});
