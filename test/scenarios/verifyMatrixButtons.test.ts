import { describe, expect, it } from 'vitest';
import { FIVE_XX, OTHER_TARGETS } from './verifyMatrix.js';
import { MatrixSteps, submitReason } from './verifyMatrixSteps.js';
import { body } from './scenario.js';

const REASON = 'Threshold Crossed: errors above 5%';

describe.each(OTHER_TARGETS)('verification on $name: the buttons of a bake', (t) => {
  const s = new MatrixSteps(t);

  it('onAlarm ask → Keep: the alarm first, requester and approvers asked; Keep records who and why', async () => {
    await s.start('ask');
    const m = await s.baking(t.good);
    const changes = s.aws.changes();
    s.cw.set(FIVE_XX, 'ALARM', REASON);
    const asking = await s.asking(t.good);
    expect(body(asking)).not.toContain('capstan_bake_complete');
    const said = await s.w.threadHas(m, 'waits for you');
    expect(said).toContain(`:rotating_light: Alarm \`${FIVE_XX}\` went off: ${REASON}. <@U0ALICE>, <@U0BOB>`);
    expect((await s.last()).state).toBe('verifying');

    await s.w.h.click({
      actionId: 'capstan_bake_keep',
      value: (await s.last()).id,
      user: 'U0BOB',
      message: m,
    });
    const open = await s.w.h.slack.waitFor(() => s.w.h.slack.callsOf('views.open')[0]);
    const view = JSON.parse(String(open.args.view)) as { callback_id: string; private_metadata: string };
    expect((await submitReason(s.w, view, 'U0BOB', 'known noise from a load test')).status).toBe(200);

    const done = await s.later(t.good, /: succeeded$/);
    expect(body(done)).not.toContain('capstan_bake_');
    const d = await s.last();
    expect(d.verification?.decision).toMatchObject({
      kind: 'keep',
      by: 'U0BOB',
      reason: 'known noise from a load test',
    });
    expect(d.cause).toMatchObject({ kind: 'verify.kept', by: 'U0BOB', alarm: FIVE_XX });
    expect(d.rollbackVersion).toBeUndefined();
    expect(s.aws.changes()).toBe(changes);
    await s.w.threadHas(m, 'kept this version');
  });

  it('Complete now: only an approver; verified at once, before the bake would end, recorded', async () => {
    await s.start();
    const m = await s.baking(t.good);
    expect(await s.click('capstan_bake_complete', 'U0ALICE', m)).toContain('Only <@U0BOB>');
    expect((await s.last()).state).toBe('verifying');
    expect(await s.click('capstan_bake_complete', 'U0BOB', m)).toContain('Completing the verification');

    const done = await s.w.parent(t.channel, t.good, t.env, /: verified$/);
    expect(body(done)).not.toContain('capstan_bake_');
    const d = await s.last();
    expect(d.verification?.decision).toMatchObject({ kind: 'complete', by: 'U0BOB' });
    expect(d.finishedAt!).toBeLessThan(d.verification!.endsAt);
    expect(await s.w.threadHas(m, 'completed the verification early')).toContain('<@U0BOB>');
    expect(await s.click('capstan_bake_complete', 'U0BOB', m)).toContain('no longer waiting');
  });

  it('Extend 10 min: the bake does not end at its first end, but ten minutes later, once', async () => {
    await s.start();
    const m = await s.baking(t.good);
    const before = await s.last();
    expect(await s.click('capstan_bake_extend', 'U0CAROL', m)).toContain('Verifying');
    const after = await s.last();
    expect(after.verification!.endsAt).toBe(before.verification!.endsAt + 10 * 60_000);
    expect(after.verification!.extended).toEqual([{ by: 'U0CAROL', at: expect.any(Number) as number }]);

    await s.w.passUntil(() => s.clock.now() > before.verification!.endsAt + 30_000, { stepMs: 5_000 });
    expect((await s.last()).state).toBe('verifying');
    await s.later(t.good, /: verified$/, 30_000);
    const d = await s.last();
    expect(d.finishedAt!).toBeGreaterThanOrEqual(after.verification!.endsAt);
    expect(s.verifiedAnnouncements(m)).toBe(1);
  });
});
