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
  /** How many abortable sleeps of each length began (a poll loop's rounds). */
  private readonly rounds = new Map<number, number>();

  now(): number {
    return Date.now() + this.skipped;
  }

  /** Moves time on by `ms`: every sleep whose end that passes ends now. */
  skip(ms: number): void {
    this.skipped += ms;
    for (const check of [...this.sleepers]) check();
  }

  /** How many abortable sleeps of `ms` began so far: a poll loop sleeps once a round, with its signal. */
  loopRounds(ms: number): number {
    return this.rounds.get(ms) ?? 0;
  }

  /** The product's Sleep on this clock (abortable, as heldSleep is). */
  readonly sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal) this.rounds.set(ms, this.loopRounds(ms) + 1);
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
  /** Capstan's polling interval: between two skips its poll loop goes round twice (a whole look). */
  readonly loopMs?: number;
  /** When to give up, in real time. */
  readonly timeoutMs?: number;
}

/**
 * Waits for `predicate` while time passes faster: whenever it does not hold, the clock skips `stepMs`
 * once Capstan's poll loop has gone round twice at the time it has (two new waits of `loopMs` with a
 * signal, as PollLoop sleeps), so at least one whole look at AWS happens between two skips however
 * slow the machine. Deadlines, time limits and back-offs pass in steps shorter than any of them;
 * nothing happens earlier than Capstan's own clock says it may. `waitFor` is the Slack stand-in's
 * (it checks as Slack calls arrive and every 25 ms) and rejects once its time is up.
 */
export async function passUntil<T>(
  clock: SkipClock,
  waitFor: <U>(predicate: () => U | undefined | false, timeoutMs: number) => Promise<U>,
  predicate: () => T | undefined | false,
  { stepMs = 250, loopMs = 20, timeoutMs = 10_000 }: PassOptions = {},
): Promise<T> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    const rounds = clock.loopRounds(loopMs);
    const seen = await waitFor(
      () => {
        const v = predicate();
        if (v !== undefined && v !== false) return { v };
        return clock.loopRounds(loopMs) >= rounds + 2 && { v: undefined };
      },
      Math.max(1, giveUpAt - Date.now()),
    );
    if (seen.v !== undefined) return seen.v;
    clock.skip(stepMs);
  }
}
