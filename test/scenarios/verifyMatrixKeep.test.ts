import { describe, expect, it } from 'vitest';
import { FIVE_XX, OTHER_TARGETS } from './verifyMatrix.js';
import { MatrixSteps } from './verifyMatrixSteps.js';
import { body } from './scenario.js';

const REASON = 'Threshold Crossed: errors above 5%';

describe.each(OTHER_TARGETS)('verification on $name: an alarm that asks, kept', (t) => {
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
    expect((await s.w.h.submitReason(view, 'U0BOB', 'known noise from a load test')).status).toBe(200);

    const done = await s.later(t.good, /: succeeded, not verified$/);
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
});
