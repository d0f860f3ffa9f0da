import { setTimeout as wait } from 'node:timers/promises';

/**
 * Waits `ms`, or less when `signal` aborts: it then resolves early rather than throwing, so a loop
 * that is being stopped simply looks at its signal and ends. Tests pass their own.
 */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** setTimeout takes at most 2^31-1 ms (about 24 days); a longer wait would end at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const sleepWith =
  (ref: boolean): Sleep =>
  (ms, signal) =>
    signal?.aborted
      ? Promise.resolve()
      : wait(Math.min(Math.max(0, ms), MAX_TIMER_MS), undefined, { signal, ref }).then(
          () => undefined,
          () => undefined,
        );

/** A timer that never keeps the process alive by itself: for loops that run while Capstan serves. */
export const timerSleep: Sleep = sleepWith(false);

/**
 * A timer that keeps the process alive until it ends: for waits inside work that must finish (a
 * Slack post paced or retried while Capstan drains on shutdown, a look at AWS timing out).
 */
export const heldSleep: Sleep = sleepWith(true);
