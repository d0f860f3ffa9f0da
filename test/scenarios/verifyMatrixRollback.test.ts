import { describe, expect, it } from 'vitest';
import { FIVE_XX, OTHER_TARGETS } from './verifyMatrix.js';
import { MatrixSteps } from './verifyMatrixSteps.js';
import { body } from './scenario.js';

const REASON = 'Threshold Crossed: errors above 5%';
const WHY = `*Why:* :rotating_light: Alarm \`${FIVE_XX}\` went off: ${REASON}`;

describe.each(OTHER_TARGETS)('verification on $name: an alarm in the bake', (t) => {
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
    // None of these can roll a finished rollout back by itself: Capstan rolls out the last verified version.
    expect(done.text).toContain(`rolled back to ${t.good}`);
    expect(d.rollbackVersion).toBe(t.good);
    expect(s.aws.changes()).toBe(3); // the good version, the bad one, the rollback
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
    expect(done.text).toContain(`rolled back to ${t.good}`);
    expect(d.rollbackVersion).toBe(t.good);
    expect(s.aws.changes()).toBe(3);
  });
});
