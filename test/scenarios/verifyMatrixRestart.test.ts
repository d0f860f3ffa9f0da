import { describe, expect, it } from 'vitest';
import { OTHER_TARGETS } from './verifyMatrix.js';
import { MatrixSteps } from './verifyMatrixSteps.js';

describe.each(OTHER_TARGETS)('verification on $name: a bake outlives its process', (t) => {
  const s = new MatrixSteps(t);

  it('a restart in the bake: the new process ends it at the recorded end, once', async () => {
    await s.start();
    const m = await s.baking(t.good);
    const { endsAt } = (await s.last()).verification!;
    await s.w.restart();
    await s.later(t.good, /: verified$/);
    const d = await s.last();
    expect(d.verification!.endsAt).toBe(endsAt);
    expect(d.finishedAt!).toBeGreaterThanOrEqual(endsAt);
    await s.w.threadHas(m, 'No alarm went off during the bake: verified.');
    expect(s.verifiedAnnouncements(m)).toBe(1);
  });

  it('a process killed in the middle of a look: the next one carries the same bake on, and ends it once', async () => {
    await s.start();
    const m = await s.baking(t.good);
    const { endsAt } = (await s.last()).verification!;
    const held = s.w.gate();
    s.cw.beforeDescribe = () => held.wait();
    await s.w.until(() => held.reached);
    s.cw.beforeDescribe = undefined;
    await s.w.crash(() => held.fail());
    await s.later(t.good, /: verified$/);
    const d = await s.last();
    expect(d.verification!.endsAt).toBe(endsAt);
    expect(d.finishedAt!).toBeGreaterThanOrEqual(endsAt);
    await s.w.threadHas(m, 'No alarm went off during the bake: verified.');
    expect(s.verifiedAnnouncements(m)).toBe(1);
  });

  it('an alarm that goes off across a restart still trips the bake: the new process names it', async () => {
    await s.start('ask');
    const m = await s.baking(t.good);
    await s.w.restart();
    s.cw.set('todobackend-5xx', 'ALARM', 'Threshold Crossed: errors above 5%');
    await s.asking(t.good);
    await s.w.threadHas(m, 'Alarm `todobackend-5xx` went off: Threshold Crossed: errors above 5%');
    expect((await s.last()).verification?.tripped).toMatchObject({ alarm: 'todobackend-5xx' });
  });
});
