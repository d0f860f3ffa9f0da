import { describe, expect, it } from 'vitest';
import { PollLoop } from '../../src/lib/pollLoop.js';
import type { Sleep } from '../../src/lib/sleep.js';
import { timerSleep } from '../../src/lib/sleep.js';

/** A sleep the test ends by hand: each wait resolves on release() or when its signal aborts. */
class ManualSleep {
  readonly waits: { ms: number; release: () => void }[] = [];
  readonly sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      this.waits.push({ ms, release: resolve });
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  release(): void {
    this.waits.shift()?.release();
  }
}

const settle = () => new Promise<void>((r) => setImmediate(r));

describe('PollLoop', () => {
  it('waits the interval before each tick, one tick at a time', async () => {
    const s = new ManualSleep();
    let ticks = 0;
    const loop = new PollLoop(
      5000,
      async () => void (ticks += 1),
      () => undefined,
      s.sleep,
    );
    loop.start();
    await settle();
    expect(ticks).toBe(0);
    expect(s.waits.map((w) => w.ms)).toEqual([5000]);
    s.release();
    await settle();
    expect(ticks).toBe(1);
    s.release();
    await settle();
    expect(ticks).toBe(2);
    await loop.stop();
  });

  it('stop() ends the wait at once: no tick after it, and the loop can start again', async () => {
    const s = new ManualSleep();
    let ticks = 0;
    const loop = new PollLoop(
      60_000,
      async () => void (ticks += 1),
      () => undefined,
      s.sleep,
    );
    loop.start();
    await settle();
    await loop.stop();
    await settle();
    expect(ticks).toBe(0);
    loop.start();
    await settle();
    s.waits.at(-1)?.release();
    await settle();
    expect(ticks).toBe(1);
    await loop.stop();
  });

  it('a failing tick is reported and the loop goes on, even when the reporter throws', async () => {
    const s = new ManualSleep();
    const errors: unknown[] = [];
    let ticks = 0;
    const loop = new PollLoop(
      10,
      async () => {
        ticks += 1;
        throw new Error(`tick ${ticks}`);
      },
      (e) => {
        errors.push(e);
        throw new Error('the reporter fails too');
      },
      s.sleep,
    );
    loop.start();
    await settle();
    s.release();
    await settle();
    s.release();
    await settle();
    expect(errors.map((e) => (e as Error).message)).toEqual(['tick 1', 'tick 2']);
    await loop.stop();
  });

  it('stop() waits for a tick in progress', async () => {
    const s = new ManualSleep();
    let finish!: () => void;
    let finished = false;
    const loop = new PollLoop(
      10,
      () =>
        new Promise<void>((r) => {
          finish = () => {
            finished = true;
            r();
          };
        }),
      () => undefined,
      s.sleep,
    );
    loop.start();
    await settle();
    s.release();
    await settle();
    const stopping = loop.stop();
    await settle();
    finish();
    await stopping;
    expect(finished).toBe(true);
  });

  it('the timer sleep resolves early, without throwing, when aborted', async () => {
    const abort = new AbortController();
    const waiting = timerSleep(3_600_000, abort.signal);
    abort.abort();
    await expect(waiting).resolves.toBeUndefined();
    await expect(timerSleep(3_600_000, abort.signal)).resolves.toBeUndefined();
  });
});
