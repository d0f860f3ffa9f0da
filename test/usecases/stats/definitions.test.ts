import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../../src/domain/deployment.js';
import { DAY_MS, deliveryFigures } from '../../../src/usecases/stats/figures.js';
import { chartWeeks } from '../../../src/usecases/stats/weeks.js';
import { H, day, entry } from '../../fixtures/delivery.js';
import { DIGEST_NEW, MIN, T0 } from '../../fixtures/deployments.js';

const WINDOW = { from: T0, to: day(14) };
const opts = { isVerified: (d: Deployment) => d.state === 'succeeded', weeks: chartWeeks(day(14), 14) };
const figures = (entries: Deployment[]) => deliveryFigures(entries, WINDOW, opts);

/** Failed 5 min in; a rollback then ran 3 min. */
const FAILED_AT = day(2) + 5 * MIN;
const before = entry('d1', 'deploy', 'succeeded', day(1), 10 * MIN);
const after = entry('d3', 'deploy', 'succeeded', day(4), 10 * MIN);
const rollingBack = (state: Deployment['state']): Deployment => ({
  ...entry('d2', 'deploy', state, day(2), 8 * MIN),
  tracking: { phase: 'rollback', startedAt: FAILED_AT, lastProgressAt: FAILED_AT, data: {} },
});
const byHand = (state: Deployment['state']) => entry('r2', 'rollback', state, FAILED_AT, 3 * MIN);

describe('the delivery figures count what reached the environment, however a failure was handled', () => {
  it('a request that failed before it changed the target is neither a deploy nor a failure, nor makes the next one rework', () => {
    const refused = { ...entry('d2', 'deploy', 'failed', day(2), MIN), tracking: undefined };
    const f = figures([before, refused, after]);
    expect(f.changes).toBe(2);
    expect(f.changeFail).toEqual({ failed: 0, of: 2 });
    expect(f.rework).toEqual({ rework: 0, of: 2 });
    expect(f.recovery).toEqual({ medianMs: undefined, recovered: 0, open: 0 });
    expect(f.weeks.reduce((n, w) => n + w.deploys, 0)).toBe(2);
  });

  it("Capstan's automatic rollback and a rollback by hand give the same figures", () => {
    const automatic = figures([before, rollingBack('rolled_back'), after]);
    expect(automatic).toMatchObject({
      changes: 3,
      rollbacks: 1,
      changeFail: { failed: 1, of: 3 },
      rework: { rework: 1, of: 4 },
      recovery: { medianMs: 3 * MIN, recovered: 1, open: 0 },
    });
    // By hand: the rollout failed, or it succeeded but was bad; either way someone rolled it back.
    const failedThenRolledBack = [
      before,
      entry('d2', 'deploy', 'failed', day(2), 5 * MIN),
      byHand('succeeded'),
      after,
    ];
    expect(figures(failedThenRolledBack)).toEqual(automatic);
    const badThenRolledBack = [
      before,
      entry('d2', 'deploy', 'succeeded', day(2), 5 * MIN),
      byHand('succeeded'),
      after,
    ];
    // Its rollout succeeded, so it also counts as a verified change for lead time; nothing else differs.
    const { leadTime, ...rest } = figures(badThenRolledBack);
    expect({ ...rest, leadTime: automatic.leadTime }).toEqual(automatic);
    expect(leadTime.verified).toBe(automatic.leadTime.verified + 1);
  });

  it('a rollback that failed, automatic or by hand: the fix that follows is rework too', () => {
    const automatic = figures([before, rollingBack('rollback_failed'), after]);
    expect(automatic).toMatchObject({
      changes: 3,
      rollbacks: 1,
      changeFail: { failed: 1, of: 3 },
      rework: { rework: 2, of: 4 },
      recovery: { medianMs: day(4) + 10 * MIN - FAILED_AT, recovered: 1, open: 0 },
    });
    const manual = [before, entry('d2', 'deploy', 'failed', day(2), 5 * MIN), byHand('failed'), after];
    expect(figures(manual)).toEqual(automatic);
  });

  it('change lead time runs from the first push of the digest, whatever repository it was pushed to', () => {
    const promoted = {
      ...entry('d1', 'deploy', 'succeeded', day(3), 10 * MIN, day(3) - H),
      imageDigest: DIGEST_NEW,
    };
    const firstPushedAt = (digest: string) => (digest === DIGEST_NEW ? day(1) : undefined);
    const f = deliveryFigures([promoted], WINDOW, { ...opts, firstPushedAt });
    expect(f.leadTime.medianMs).toBe(2 * DAY_MS + 10 * MIN);
    // A later push elsewhere does not shorten it, nor lengthen it.
    const later = deliveryFigures([promoted], WINDOW, { ...opts, firstPushedAt: () => day(3) });
    expect(later.leadTime.medianMs).toBe(H + 10 * MIN);
  });
});

describe('chart weeks', () => {
  it('are whole 7-day weeks of UTC days, the last ending with today, as many as cover the days asked', () => {
    const now = Date.UTC(2026, 11, 7, 15, 30);
    const endOfToday = Date.UTC(2026, 11, 8);
    expect(chartWeeks(now, 30)).toEqual({ from: endOfToday - 35 * DAY_MS, to: endOfToday });
    expect(chartWeeks(now, 28)).toEqual({ from: endOfToday - 28 * DAY_MS, to: endOfToday });
    expect(chartWeeks(now, 1)).toEqual({ from: endOfToday - 7 * DAY_MS, to: endOfToday });
  });
});
