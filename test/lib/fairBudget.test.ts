import { describe, expect, it } from 'vitest';
import { FairBudget } from '../../src/lib/fairBudget.js';

function budget(o: { perSecond?: number; burst?: number; reserve?: number } = {}) {
  let now = 1_000_000;
  const b = new FairBudget({
    perSecond: o.perSecond ?? 2,
    burst: o.burst ?? 4,
    reserve: o.reserve,
    now: () => now,
  });
  return { b, advance: (ms: number) => (now += ms) };
}

describe('FairBudget: a shared rate budget that never waits', () => {
  it('lets no more than perSecond calls a second go, after a burst, however many keys ask', () => {
    const { b, advance } = budget();
    let went = 0;
    // 1,000 services each asking once every 5 s, as many rollouts short of tasks do, for 5 minutes.
    for (let s = 0; s < 300; s++) {
      for (let k = 0; k < 1000; k += 5) if (b.take(`svc-${(k + s) % 1000}`)) went++;
      advance(1000);
    }
    expect(went).toBeLessThanOrEqual(4 + 2 * 300);
    expect(went).toBeGreaterThanOrEqual(2 * 300 - 2);
  });

  it('shares the budget: the keys that ask first in each round do not keep it to themselves', () => {
    const { b, advance } = budget();
    const wentFor = new Map<string, number>();
    // 40 services asking in the same order every second, for 40 s: 80 calls for 40 keys.
    for (let s = 0; s < 40; s++) {
      for (let k = 0; k < 40; k++)
        if (b.take(`svc-${k}`)) wentFor.set(`svc-${k}`, (wentFor.get(`svc-${k}`) ?? 0) + 1);
      advance(1000);
    }
    expect(wentFor.size).toBe(40);
    expect(Math.max(...wentFor.values())).toBeLessThanOrEqual(3);
  });

  it('lets a lone key go at the full rate', () => {
    const { b, advance } = budget();
    let went = 0;
    for (let s = 0; s < 20; s++) {
      if (b.take('svc-a')) went++;
      advance(500);
    }
    expect(went).toBe(20);
  });

  it('keeps the reserve for urgent calls, which skip the per-key share', () => {
    const { b } = budget({ burst: 4, reserve: 1 });
    expect([1, 2, 3, 4].map((k) => b.take(`svc-${k}`))).toEqual([true, true, true, false]);
    expect(b.take('svc-4', true)).toBe(true);
    expect(b.take('svc-5', true)).toBe(false);
  });
});
