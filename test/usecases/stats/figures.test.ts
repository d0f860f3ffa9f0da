import { describe, expect, it } from 'vitest';
import { countsAsVerified } from '../../../src/domain/verified.js';
import { deliveryFigures, median, p90 } from '../../../src/usecases/stats/figures.js';
import { H, HISTORY, day, entry } from '../../fixtures/delivery.js';
import { MIN, T0 } from '../../fixtures/deployments.js';

const WINDOW = { from: T0, to: day(14) };
const noVerify = { name: 'dev' };
const withVerify = { name: 'dev', verify: { bake: '5m' } };

describe('delivery figures', () => {
  it('computes each figure of a scripted history', () => {
    const f = deliveryFigures(HISTORY, WINDOW, (d) => countsAsVerified(d, noVerify));
    expect(f.deploys).toBe(7);
    expect(f.unknownOutcome).toBe(1);
    expect(f.leadTime).toEqual({ medianMs: 70 * MIN, p90Ms: 120 * MIN, measured: 3, verified: 4 });
    expect(f.changeFail).toEqual({ failed: 3, of: 7 });
    expect(f.recovery).toEqual({ medianMs: 65 * MIN, recovered: 2, open: 1 });
    expect(f.rework).toEqual({ rework: 2, of: 7 });
    expect(f.weeks).toEqual([
      { start: day(0), deploys: 5, failures: 2 },
      { start: day(7), deploys: 2, failures: 1 },
    ]);
  });

  it('with a verify configuration only verified deploys count for lead time and recovery', () => {
    const f = deliveryFigures(HISTORY, WINDOW, (d) => countsAsVerified(d, withVerify));
    expect(f.leadTime).toEqual({ medianMs: 120 * MIN, p90Ms: 120 * MIN, measured: 1, verified: 1 });
    // d2 and d4 both recover at d6's end (day 9 + 20 min); d9 is still open.
    expect(f.recovery.recovered).toBe(2);
    expect(f.recovery.medianMs).toBe(
      median([day(9) + 20 * MIN - (day(2) + 5 * MIN), day(9) + 20 * MIN - (day(5) + 3 * H)]),
    );
    expect(f.recovery.open).toBe(1);
  });

  it('an empty history has no figures, only zero counts', () => {
    const f = deliveryFigures([], WINDOW, () => true);
    expect(f).toEqual({
      deploys: 0,
      unknownOutcome: 0,
      leadTime: { medianMs: undefined, p90Ms: undefined, measured: 0, verified: 0 },
      changeFail: { failed: 0, of: 0 },
      recovery: { medianMs: undefined, recovered: 0, open: 0 },
      rework: { rework: 0, of: 0 },
      weeks: [
        { start: day(0), deploys: 0, failures: 0 },
        { start: day(7), deploys: 0, failures: 0 },
      ],
    });
  });

  it('one deploy: its lead time is both median and p90, nothing failed', () => {
    const one = [entry('d1', 'deploy', 'succeeded', day(3), 10 * MIN, day(3) - 3 * H)];
    const f = deliveryFigures(one, WINDOW, () => true);
    expect(f.deploys).toBe(1);
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
      () => true,
    );
    expect(f.deploys).toBe(1);
    expect(f.changeFail).toEqual({ failed: 0, of: 1 });
    expect(f.rework).toEqual({ rework: 1, of: 1 });
  });

  it('a rollback more than 24 h after a deploy does not make it a failure', () => {
    const f = deliveryFigures(
      [
        entry('d1', 'deploy', 'succeeded', day(1), 10 * MIN),
        entry('r2', 'rollback', 'succeeded', day(2) + H, 5 * MIN),
      ],
      WINDOW,
      () => true,
    );
    expect(f.changeFail).toEqual({ failed: 0, of: 2 });
  });

  it('median and p90 by nearest rank', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(p90([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toBe(9);
    expect(p90([5, 1])).toBe(5);
  });
});
