import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../sandbox/slackApi.js';
import { SkipClock } from '../fakes/skipClock.js';
import { FakeCloudWatch } from '../support/fakeCloudWatch.js';
import { FakeEcs } from '../support/fakeEcs.js';
import { responseTo } from '../support/harness.js';
import { World, body, yamlWith } from './scenario.js';

let w: World;
let ecs: FakeEcs;
let cw: FakeCloudWatch;
let clock: SkipClock;

const FIVE_XX = 'todobackend-dev-5xx';

const env = (onAlarm: string) => `
      dev:
        channel: C0DEV
        ecs: { region: us-east-1, cluster: todo-dev, service: todobackend-dev, container: app, repository: todobackend }
        policy: { deployers: [U0ALICE, U0BOB, U0CAROL], approvers: [U0BOB] }
        rolloutTimeout: 1s
        verify: { alarms: ["todobackend-dev-*"], bake: 1m, onAlarm: ${onAlarm} }
`;

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

const start = async (onAlarm = 'rollback') => {
  w = await World.start(yamlWith(env(onAlarm)), clock);
};

/** The parent message once its bake shows its buttons (the alarms were read). */
async function baking(version: string, button = 'capstan_bake_rollback'): Promise<StoredMessage> {
  await w.command(`todobackend ${version} to dev`, 'C0DEV');
  return w.h.slack.waitFor(() => {
    const m = w.h.slack
      .channelMessages('C0DEV')
      .find((x) => x.text.includes(` ${version} to dev: verifying`));
    return m && body(m).includes(button) && body(m).includes(FIVE_XX) ? m : undefined;
  });
}

async function click(action: string, id: string, user: string, m: StoredMessage): Promise<string> {
  const r = await w.h.click({ actionId: action, value: id, user, message: m });
  expect(r.status).toBe(200);
  return JSON.stringify(await responseTo(w.h.slack, r.responseUrl));
}

const verifiedFirst = async () => {
  await baking('1.2.3');
  await w.parentLater('C0DEV', '1.2.3', 'dev', /: verified$/, { stepMs: 5_000, timeoutMs: 20_000 });
};

describe('the buttons of a bake, decided on the clicking user, once', () => {
  it('Complete now: only an approver; of two racing clicks one completes, and the buttons go', async () => {
    await start();
    const m = await baking('1.2.3');
    const { id } = await w.last('dev');
    expect(await click('capstan_bake_complete', id, 'U0ALICE', m)).toContain('Only <@U0BOB>');
    expect((await w.last('dev')).state).toBe('verifying');

    const answers = await Promise.all([
      click('capstan_bake_complete', id, 'U0BOB', m),
      click('capstan_bake_complete', id, 'U0BOB', m),
    ]);
    expect(answers.filter((a) => a.includes('Completing the verification'))).toHaveLength(1);
    expect(answers.filter((a) => a.includes('no longer waiting'))).toHaveLength(1);

    const done = await w.parent('C0DEV', '1.2.3', 'dev', /: verified$/);
    expect(body(done)).not.toContain('capstan_bake_');
    const d = await w.last('dev');
    expect(d.verification?.decision).toMatchObject({ kind: 'complete', by: 'U0BOB' });
    expect(d.finishedAt!).toBeLessThan(d.verification!.endsAt);
    expect(await w.threadHas(done, 'completed the verification early')).toContain('<@U0BOB>');
  });

  it('Extend 10 min: the bake does not end at its first end, but ten minutes later', async () => {
    await start();
    const m = await baking('1.2.3');
    const before = await w.last('dev');
    expect(await click('capstan_bake_extend', before.id, 'U0ALICE', m)).toContain('Verifying');
    const after = await w.last('dev');
    expect(after.verification!.endsAt).toBe(before.verification!.endsAt + 10 * 60_000);
    expect(after.verification!.extended).toEqual([{ by: 'U0ALICE', at: expect.any(Number) as number }]);

    await w.passUntil(() => clock.now() > before.verification!.endsAt + 30_000, { stepMs: 5_000 });
    expect((await w.last('dev')).state).toBe('verifying');
    await w.parentLater('C0DEV', '1.2.3', 'dev', /: verified$/, { stepMs: 60_000, timeoutMs: 20_000 });
    const d = await w.last('dev');
    expect(d.finishedAt!).toBeGreaterThanOrEqual(after.verification!.endsAt);
  });

  it('Roll back (a deployer): back to the last verified version, saying who asked', async () => {
    await start();
    await verifiedFirst();
    const m = await baking('1.2.4-broken');
    const { id } = await w.last('dev');
    expect(await click('capstan_bake_rollback', id, 'U0MALLORY', m)).toContain('Only <@U0ALICE>');
    expect(await click('capstan_bake_rollback', id, 'U0CAROL', m)).toContain('Rolling');
    const done = await w.parentLater('C0DEV', '1.2.4-broken', 'dev', /: rolled back/, { stepMs: 1_000 });
    expect(done.text).toContain('rolled back to 1.2.3');
    expect(body(done)).toContain('<@U0CAROL> asked to roll back during the verification');
  });

  it('onAlarm ask: the alarm first, the requester and the approvers asked; Keep records who and why', async () => {
    await start('ask');
    await verifiedFirst();
    const m = await baking('1.2.4-broken');
    const { id } = await w.last('dev');
    cw.set(FIVE_XX, 'ALARM', 'Threshold Crossed: errors above 5%');
    const asking = await w.passUntil(() => {
      const x = w.current('C0DEV', '1.2.4-broken', 'dev');
      return body(x).includes('capstan_bake_keep') ? x : undefined;
    });
    expect(body(asking)).not.toContain('capstan_bake_complete');
    // The wait has no end: no countdown, and since when it waits as a Slack date with its day.
    expect(body(asking)).not.toContain('min left');
    expect(body(asking)).toMatch(
      /Waiting for \*Roll back\* or \*Keep\* since <!date\^\d+\^\{date_short_pretty\} \{time\}/,
    );
    const said = await w.threadHas(m, 'waits for you');
    expect(said).toMatch(
      /:rotating_light: Alarm `todobackend-dev-5xx` went off: Threshold Crossed: errors above 5%\. <@U0ALICE>, <@U0BOB>/,
    );
    expect((await w.last('dev')).state).toBe('verifying');

    await w.h.click({ actionId: 'capstan_bake_keep', value: id, user: 'U0BOB', message: m });
    const open = await w.h.slack.waitFor(() => w.h.slack.callsOf('views.open')[0]);
    const view = JSON.parse(String(open.args.view)) as { callback_id: string; private_metadata: string };
    expect(view).toMatchObject({ callback_id: 'capstan_bake_keep_modal', private_metadata: id });
    // Mallory may not keep it, whatever the modal she got hold of says.
    expect((await w.h.submitReason(view, 'U0MALLORY', 'because')).status).toBe(200);
    await w.h.slack.waitFor(() =>
      w.h.slack
        .callsOf('chat.postEphemeral')
        .find((c) => c.args.user === 'U0MALLORY' && String(c.args.text).includes('Only <@U0BOB>')),
    );
    expect((await w.last('dev')).verification?.decision).toBeUndefined();
    expect((await w.h.submitReason(view, 'U0BOB', 'known noise from a <load test>')).status).toBe(200);

    const done = await w.parentLater('C0DEV', '1.2.4-broken', 'dev', /: succeeded, not verified$/);
    expect(body(done)).not.toContain('capstan_bake_');
    const d = await w.last('dev');
    expect(d.verification?.decision).toMatchObject({
      kind: 'keep',
      by: 'U0BOB',
      reason: 'known noise from a <load test>',
    });
    expect(d.cause).toMatchObject({ kind: 'verify.kept', by: 'U0BOB', alarm: FIVE_XX });
    expect(await w.threadHas(m, 'kept this version')).toContain('known noise from a &lt;load test&gt;');
    expect(d.rollbackVersion).toBeUndefined();
  });

  it('onAlarm ask → Roll back: rolled back with the alarm named as why', async () => {
    await start('ask');
    await verifiedFirst();
    const m = await baking('1.2.4-broken');
    const { id } = await w.last('dev');
    cw.set(FIVE_XX, 'ALARM', 'Threshold Crossed: errors above 5%');
    await w.passUntil(
      () => body(w.current('C0DEV', '1.2.4-broken', 'dev')).includes('capstan_bake_keep') || undefined,
    );
    expect(await click('capstan_bake_rollback', id, 'U0CAROL', m)).toContain('Rolling');
    const done = await w.parentLater('C0DEV', '1.2.4-broken', 'dev', /: rolled back/, { stepMs: 1_000 });
    // The alarm first, then who chose to roll back.
    const why =
      ':rotating_light: Alarm `todobackend-dev-5xx` went off: Threshold Crossed: errors above 5%. Roll back chosen by <@U0CAROL>';
    expect(body(done)).toContain(`*Why:* ${why}`);
    expect(await w.threadHas(m, 'Roll back chosen by')).toContain(why);
  });

  it('a version kept after its alarm is no rollback target: the next alarm goes back to the last verified one', async () => {
    await start('ask');
    await verifiedFirst();
    const kept = await baking('1.2.1');
    const keptId = (await w.last('dev')).id;
    cw.set(FIVE_XX, 'ALARM', 'Threshold Crossed: errors above 5%');
    await w.passUntil(
      () => body(w.current('C0DEV', '1.2.1', 'dev')).includes('capstan_bake_keep') || undefined,
    );
    await w.h.click({ actionId: 'capstan_bake_keep', value: keptId, user: 'U0BOB', message: kept });
    const open = await w.h.slack.waitFor(() => w.h.slack.callsOf('views.open')[0]);
    const view = JSON.parse(String(open.args.view)) as { callback_id: string; private_metadata: string };
    expect((await w.h.submitReason(view, 'U0BOB', 'known noise')).status).toBe(200);
    await w.parentLater('C0DEV', '1.2.1', 'dev', /: succeeded, not verified$/);
    cw.set(FIVE_XX, 'OK', 'Threshold Crossed: back to normal');
    expect((await w.last('dev')).state).toBe('succeeded');

    const m = await baking('1.2.4-broken');
    const { id } = await w.last('dev');
    cw.set(FIVE_XX, 'ALARM', 'Threshold Crossed: errors above 5%');
    await w.passUntil(
      () => body(w.current('C0DEV', '1.2.4-broken', 'dev')).includes('capstan_bake_keep') || undefined,
    );
    await click('capstan_bake_rollback', id, 'U0ALICE', m);
    const done = await w.parentLater('C0DEV', '1.2.4-broken', 'dev', /: rolled back/, { stepMs: 1_000 });
    expect(done.text).toContain('rolled back to 1.2.3');
    expect((await w.last('dev')).rollbackVersion).toBe('1.2.3');
    expect(await w.threadHas(m, 'Rolling back to')).toContain(
      'Rolling back to `1.2.3`, the last version that was verified here.',
    );
  });
});
