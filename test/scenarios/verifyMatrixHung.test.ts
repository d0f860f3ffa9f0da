import { describe, expect, it } from 'vitest';
import { TARGETS } from './verifyMatrix.js';
import { MatrixSteps } from './verifyMatrixSteps.js';

/*
 * Found writing the matrix: the tracker's look at the bakes had no time limit, unlike a rollout's look.
 * One DescribeAlarms that never answered kept `verify:bakes` busy for good: no bake of that replica was
 * looked at again, none ended, nothing was said, and the replica kept renewing their leases, so no other
 * replica took them over. Each alarm read is now given up after ALARM_READ_TIMEOUT_MS (unreadable).
 */
const t = TARGETS[0]!;

describe(`verification on ${t.name}: a look at the alarms that never answers`, () => {
  const s = new MatrixSteps(t);

  it('does not hold the bake for ever: a later look reads the alarms and ends it, once, not early', async () => {
    await s.start();
    const m = await s.baking(t.good);
    const { endsAt } = (await s.last()).verification!;
    // One DescribeAlarms never answers (a connection gone silent); every later one does.
    const held = s.w.gate();
    s.cw.beforeDescribe = () => held.wait();
    await s.w.until(() => held.reached);
    s.cw.beforeDescribe = undefined;

    // Time passes half a minute at a time, for many bakes' worth of Capstan's clock.
    await s.w.parentLater(t.channel, t.good, t.env, /: verified$/, { stepMs: 30_000, timeoutMs: 8_000 });
    const d = await s.last();
    expect(d.finishedAt!).toBeGreaterThanOrEqual(endsAt);
    expect(s.verifiedAnnouncements(m)).toBe(1);
  });
});
