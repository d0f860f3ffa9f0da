import { describe, expect, it } from 'vitest';
import { FIVE_XX, TARGETS } from './verifyMatrix.js';
import { MatrixSteps, submitReason } from './verifyMatrixSteps.js';
import { body } from './scenario.js';

const REASON = 'Threshold Crossed: errors above 5%';
const WHY = `*Why:* :rotating_light: Alarm \`${FIVE_XX}\` went off: ${REASON}`;

describe.each(TARGETS)('verification on $name: an alarm in the bake', (t) => {
  const s = new MatrixSteps(t);

  it('onAlarm rollback: rolled back at once, away from the broken version, the alarm and its reason named first', async () => {
    await s.start();
    await s.verifiedFirst();
    await s.baking(t.bad);
    s.cw.set(FIVE_XX, 'ALARM', REASON);

    const done = await s.later(t.bad, /: rolled back/, 1_000);
    expect(body(done)).toContain(WHY);
    expect(body(done)).not.toContain('capstan_bake_');
    const d = await s.last();
    expect(d.state).toBe('rolled_back');
    expect(d.verification?.decision?.kind).toBe('alarm');
    expect(d.verification?.tripped).toMatchObject({ alarm: FIVE_XX });
    // Through the platform's own rollback, or back to the last verified version.
    if (d.tracking?.rolledBackBy === undefined) expect(d.rollbackVersion).toBe(t.good);
  });

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

  it('onAlarm ask → Roll back: a deployer rolls back, the alarm named as why', async () => {
    await s.start('ask');
    await s.verifiedFirst();
    const m = await s.baking(t.bad);
    s.cw.set(FIVE_XX, 'ALARM', REASON);
    await s.asking(t.bad);
    expect((await s.last()).state).toBe('verifying');
    expect(await s.click('capstan_bake_rollback', 'U0MALLORY', m)).toContain('Only <@U0ALICE>');
    expect(await s.click('capstan_bake_rollback', 'U0CAROL', m)).toContain('Rolling');

    const done = await s.later(t.bad, /: rolled back/, 1_000);
    expect(body(done)).toContain(WHY);
    const d = await s.last();
    expect(d.state).toBe('rolled_back');
    if (d.tracking?.rolledBackBy === undefined) expect(d.rollbackVersion).toBe(t.good);
  });
});
