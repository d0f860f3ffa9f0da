import { describe, expect, it } from 'vitest';
import { OTHER_TARGETS } from './verifyMatrix.js';
import { MatrixSteps } from './verifyMatrixSteps.js';
import { body } from './scenario.js';

describe.each(OTHER_TARGETS)('verification on $name: the buttons of a bake', (t) => {
  const s = new MatrixSteps(t);

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

    await s.w.passUntil(() => s.clock.now() > before.verification!.endsAt + 30_000, { stepMs: 15_000 });
    expect((await s.last()).state).toBe('verifying');
    await s.later(t.good, /: verified$/, 60_000);
    const d = await s.last();
    expect(d.finishedAt!).toBeGreaterThanOrEqual(after.verification!.endsAt);
    expect(s.verifiedAnnouncements(m)).toBe(1);
  });
});
