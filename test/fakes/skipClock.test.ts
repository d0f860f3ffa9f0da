import { describe, expect, it } from 'vitest';
import { SkipClock, passUntil } from './skipClock.js';

const settled = (p: Promise<unknown>) => {
  let done = false;
  void p.then(() => (done = true));
  return () => done;
};
const turn = () => new Promise((r) => setImmediate(r));

describe('SkipClock: the wall clock, moved forward by the test', () => {
  it('tells the wall time plus every skip', () => {
    const clock = new SkipClock();
    const before = Date.now();
    clock.skip(60_000);
    expect(clock.now()).toBeGreaterThanOrEqual(before + 60_000);
    expect(clock.now()).toBeLessThan(Date.now() + 60_000 + 1_000);
  });

  it('ends a sleep once skips reach its end, and not before', async () => {
    const clock = new SkipClock();
    const done = settled(clock.sleep(3_600_000));
    clock.skip(1_800_000);
    await turn();
    expect(done()).toBe(false);
    clock.skip(1_800_000);
    await turn();
    expect(done()).toBe(true);
  });

  it('ends a sleep when its signal aborts, or at once when it already has', async () => {
    const clock = new SkipClock();
    const stop = new AbortController();
    const done = settled(clock.sleep(3_600_000, stop.signal));
    await turn();
    expect(done()).toBe(false);
    stop.abort();
    await turn();
    expect(done()).toBe(true);
    await clock.sleep(3_600_000, stop.signal);
  });

  it('passUntil skips between two rounds of the loop that sleeps on it, until the condition holds', async () => {
    const clock = new SkipClock();
    const start = clock.now();
    const stop = new AbortController();
    let looks = 0;
    const loop = (async () => {
      while (!stop.signal.aborted) {
        await clock.sleep(20, stop.signal);
        looks += 1;
      }
    })();
    /** Checks at every turn of the event loop; rejects once `ms` have passed. */
    const waitFor = <U>(p: () => U | undefined | false, ms: number) =>
      new Promise<U>((resolve, reject) => {
        const giveUpAt = Date.now() + ms;
        const check = () => {
          const v = p();
          if (v !== undefined && v !== false) resolve(v);
          else if (Date.now() > giveUpAt) reject(new Error(`not within ${ms} ms`));
          else setImmediate(check);
        };
        check();
      });
    const at = await passUntil(clock, waitFor, () => clock.now() - start >= 1_000 && clock.now(), {
      stepMs: 250,
    });
    stop.abort();
    await loop;
    expect(at - start).toBeGreaterThanOrEqual(1_000);
    expect(at - start).toBeLessThan(1_250 + 1_000);
    // Four skips, each once the loop went round twice since the one before: at least eight rounds.
    expect(looks).toBeGreaterThanOrEqual(8);
  });
});
