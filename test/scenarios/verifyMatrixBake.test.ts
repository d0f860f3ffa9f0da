import { describe, expect, it } from 'vitest';
import { FIVE_XX, LATENCY, OTHER_TARGETS } from './verifyMatrix.js';
import { MatrixSteps } from './verifyMatrixSteps.js';
import { body } from './scenario.js';

describe.each(OTHER_TARGETS)('verification on $name: the bake and its signal', (t) => {
  const s = new MatrixSteps(t);

  it('a clean bake ends verified, never before its end, recorded apart from succeeded', async () => {
    await s.start();
    const m = await s.baking(t.good);
    expect(body(m)).toContain('min left');
    const during = await s.last();
    expect(during.state).toBe('verifying');
    const { startedAt, endsAt } = during.verification!;
    expect(endsAt - startedAt).toBe(60_000);

    const done = await s.later(t.good, /: verified$/);
    expect(body(done)).not.toContain('capstan_bake_');
    const d = await s.last();
    expect(d.state).toBe('verified');
    expect(d.finishedAt!).toBeGreaterThanOrEqual(endsAt);
    await s.w.threadHas(m, 'No alarm went off during the bake: verified.');
    expect(s.verifiedAnnouncements(m)).toBe(1);
    const history = await s.w.command(`history todobackend ${t.env}`, t.channel);
    expect(history).toContain('verified');
  });

  it('INSUFFICIENT_DATA at pre-flight and during the bake is shown, never a failure', async () => {
    s.cw.set(LATENCY, 'INSUFFICIENT_DATA', 'Insufficient Data: no datapoints');
    await s.start();
    const m = await s.baking(t.good);
    const shown = await s.w.until(() => {
      const x = s.current(t.good);
      return /`todobackend-latency` insufficient data \(shown, not a failure\)/.test(body(x)) ? x : undefined;
    });
    expect(body(shown)).toContain('capstan_bake_complete');
    s.cw.set(FIVE_XX, 'INSUFFICIENT_DATA', 'Insufficient Data: the load balancer went quiet');
    await s.later(t.good, /: verified$/);
    const d = await s.last();
    expect(d.state).toBe('verified');
    expect(d.verification?.tripped).toBeUndefined();
    expect(d.finishedAt!).toBeGreaterThanOrEqual(d.verification!.endsAt);
    await s.w.threadHas(m, 'No alarm went off during the bake: verified.');
  });
});
