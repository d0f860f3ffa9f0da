import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../../src/domain/deployment.js';
import { countsAsVerified } from '../../../src/domain/verified.js';
import { DAY_MS, deliveryFigures, median, p90 } from '../../../src/usecases/stats/figures.js';
import { chartWeeks } from '../../../src/usecases/stats/weeks.js';
import { H, HISTORY, day, entry } from '../../fixtures/delivery.js';
import { MIN, T0 } from '../../fixtures/deployments.js';

const WINDOW = { from: T0, to: day(14) };
const WEEKS = chartWeeks(day(14), 14);
const noVerify = { name: 'dev' };
const withVerify = { name: 'dev', verify: { bake: '5m' } };
const all = (isVerified: (d: Deployment) => boolean = () => true) => ({ isVerified, weeks: WEEKS });

describe('delivery figures', () => {
  it('computes each figure of a scripted history', () => {
    const f = deliveryFigures(
      HISTORY,
      WINDOW,
      all((d) => countsAsVerified(d, noVerify)),
    );
    // d1 d2 d3 d4 d6 d9; d2b failed before it changed anything, d7 never ran, d8 is unknown.
    expect(f.changes).toBe(6);
    // r5 by hand, and Capstan's own rollback of d9.
    expect(f.rollbacks).toBe(2);
    expect(f.unknownOutcome).toBe(1);
    expect(f.leadTime).toEqual({ medianMs: 70 * MIN, p90Ms: 120 * MIN, measured: 3, verified: 4 });
    expect(f.changeFail).toEqual({ failed: 3, of: 6 });
    // d2 by d3 in 125 min, d4 by r5 in 5 min, d9 by its own rollback in 3 min.
    expect(f.recovery).toEqual({ medianMs: 5 * MIN, recovered: 3, open: 0 });
    // d3 (the fix right after d2), r5 and d9's rollback, of 8 deployments.
    expect(f.rework).toEqual({ rework: 3, of: 8 });
    expect(f.weeks).toEqual([
      { start: WEEKS.from, deploys: 4, failures: 2 },
      { start: WEEKS.from + 7 * DAY_MS, deploys: 2, failures: 1 },
    ]);
  });

  it('with a verify configuration only verified deploys count for lead time and recovery', () => {
    const f = deliveryFigures(
      HISTORY,
      WINDOW,
      all((d) => countsAsVerified(d, withVerify)),
    );
    expect(f.leadTime).toEqual({ medianMs: 120 * MIN, p90Ms: 120 * MIN, measured: 1, verified: 1 });
    // d3 only succeeded: d2 is recovered from when r5 brought the environment back.
    expect(f.recovery.recovered).toBe(3);
    expect(f.recovery.medianMs).toBe(5 * MIN);
    expect(f.recovery.open).toBe(0);
  });

  it('an empty history has no figures, only zero counts', () => {
    const f = deliveryFigures([], WINDOW, all());
    expect(f).toEqual({
      changes: 0,
      rollbacks: 0,
      unknownOutcome: 0,
      leadTime: { medianMs: undefined, p90Ms: undefined, measured: 0, verified: 0 },
      changeFail: { failed: 0, of: 0 },
      recovery: { medianMs: undefined, recovered: 0, open: 0 },
      rework: { rework: 0, of: 0 },
      weeks: [
        { start: WEEKS.from, deploys: 0, failures: 0 },
        { start: WEEKS.from + 7 * DAY_MS, deploys: 0, failures: 0 },
      ],
    });
  });

  it('one deploy: its lead time is both median and p90, nothing failed', () => {
    const one = [entry('d1', 'deploy', 'succeeded', day(3), 10 * MIN, day(3) - 3 * H)];
    const f = deliveryFigures(one, WINDOW, all());
    expect(f.changes).toBe(1);
    expect(f.leadTime).toEqual({
      medianMs: 3 * H + 10 * MIN,
      p90Ms: 3 * H + 10 * MIN,
      measured: 1,
      verified: 1,
    });
    expect(f.changeFail).toEqual({ failed: 0, of: 1 });
    expect(f.rework).toEqual({ rework: 0, of: 1 });
    expect(f.recovery).toEqual({ medianMs: undefined, recovered: 0, open: 0 });
  });

  it('a rollback inside the window undoes a deploy made before it: only the rollback is counted', () => {
    const f = deliveryFigures(
      [
        entry('d0', 'deploy', 'succeeded', T0 - 2 * H, 10 * MIN),
        entry('r1', 'rollback', 'succeeded', T0 + H, 5 * MIN),
      ],
      WINDOW,
      all(),
    );
    expect(f.changes).toBe(0);
    expect(f.rollbacks).toBe(1);
    expect(f.changeFail).toEqual({ failed: 0, of: 0 });
    expect(f.rework).toEqual({ rework: 1, of: 1 });
  });

  it('a rollback more than 24 h after a deploy does not make it a failure', () => {
    const f = deliveryFigures(
      [
        entry('d1', 'deploy', 'succeeded', day(1), 10 * MIN),
        entry('r2', 'rollback', 'succeeded', day(2) + H, 5 * MIN),
      ],
      WINDOW,
      all(),
    );
    expect(f.changeFail).toEqual({ failed: 0, of: 1 });
    expect(f.rework).toEqual({ rework: 1, of: 2 });
  });

  it('median and p90 by nearest rank', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(p90([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toBe(9);
    expect(p90([5, 1])).toBe(5);
  });
});
