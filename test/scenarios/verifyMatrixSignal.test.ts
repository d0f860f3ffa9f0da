import { describe, expect, it } from 'vitest';
import { FIVE_XX, OTHER_TARGETS } from './verifyMatrix.js';
import { MatrixSteps } from './verifyMatrixSteps.js';
import { body } from './scenario.js';

describe.each(OTHER_TARGETS)('verification on $name: a clean signal, and an alarm not lost', (t) => {
  const s = new MatrixSteps(t);

  it('an alarm already in ALARM refuses the deploy, naming it; nothing recorded, AWS untouched', async () => {
    s.cw.set(FIVE_XX, 'ALARM', 'Threshold Crossed: errors above 5%.');
    await s.start();
    const answer = await s.command(t.good);
    expect(answer).toContain(`Not deployed: \`${FIVE_XX}\` is in ALARM (Threshold Crossed: errors above 5%)`);
    expect(answer).toContain('--override');
    expect(await s.w.ledger(t.env)).toEqual([]);
    expect(s.aws.changes()).toBe(0);
  });

  it('an alarm that went OK → ALARM → OK between two looks is not lost: the bake asks, naming it', async () => {
    await s.start('ask');
    const m = await s.baking(t.good);
    s.cw.set(FIVE_XX, 'ALARM', 'Threshold Crossed: a spike');
    s.cw.set(FIVE_XX, 'OK', 'Threshold Crossed: back to normal');

    const asking = await s.asking(t.good);
    expect(body(asking)).not.toContain('capstan_bake_complete');
    await s.w.threadHas(
      m,
      `Alarm \`${FIVE_XX}\` went off (and was back to OK when Capstan looked): Threshold Crossed: a spike`,
    );
    const d = await s.last();
    expect(d.state).toBe('verifying');
    expect(d.verification?.tripped).toMatchObject({ alarm: FIVE_XX, flapped: true });
  });
});
