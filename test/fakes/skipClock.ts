import type { Sleep } from '../../src/lib/sleep.js';
import type { Clock } from '../../src/ports/clock.js';

/** setTimeout takes at most 2^31-1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The wall clock, which the test moves forward at once when it wants time to pass: now() is the
 * system time plus every skip, and its sleep ends when its end comes on this clock, whether the wall
 * clock got there or a skip did. For suites that run Capstan whole (HTTP, the Slack stand-in,
 * SQLite), where each call takes real time: a deadline or a time limit passes because the test says
 * so (`skip`), never because the test waited it out, and nothing can end earlier than it would have.
 */
export class SkipClock implements Clock {
  private skipped = 0;
  private readonly sleepers = new Set<() => void>();

  now(): number {
    return Date.now() + this.skipped;
  }

  /** Moves time on by `ms`: every sleep whose end that passes ends now. */
  skip(ms: number): void {
    this.skipped += ms;
    for (const check of [...this.sleepers]) check();
  }

  /** The product's Sleep on this clock (abortable, as heldSleep is). */
  readonly sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const until = this.now() + Math.max(0, ms);
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(check);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const check = () => {
        const left = until - this.now();
        if (left <= 0) return done();
        clearTimeout(timer);
        timer = setTimeout(check, Math.min(left, MAX_TIMER_MS));
      };
      this.sleepers.add(check);
      signal?.addEventListener('abort', done, { once: true });
      check();
    });
}

export interface PassOptions {
  /** How far the clock skips at a time (shorter than the deadlines in play). */
  readonly stepMs?: number;
  /** How long, in real time, Capstan runs at one time before the next skip. */
  readonly settleMs?: number;
  /** When to give up, in real time. */
  readonly timeoutMs?: number;
}

/**
 * Waits for `predicate` while time passes faster: whenever it has not held for a moment of real
 * time (`settleMs`, in which Capstan looks at AWS several times at the time it has), the clock skips
 * `stepMs` and every wait of Capstan's that this ends, ends. Deadlines, time limits and back-offs
 * pass in steps shorter than any of them; nothing happens earlier than Capstan's own clock says it
 * may. `waitFor` is the Slack stand-in's (it checks as Slack calls arrive and every 25 ms).
 */
export async function passUntil<T>(
  clock: SkipClock,
  waitFor: (predicate: () => T | undefined | false, timeoutMs: number) => Promise<T>,
  predicate: () => T | undefined | false,
  { stepMs = 250, settleMs = 60, timeoutMs = 10_000 }: PassOptions = {},
): Promise<T> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await waitFor(predicate, settleMs);
    } catch (e) {
      if (Date.now() > giveUpAt) throw e;
    }
    clock.skip(stepMs);
  }
}
