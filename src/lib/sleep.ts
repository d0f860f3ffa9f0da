import { setTimeout as wait } from 'node:timers/promises';

/**
 * Waits `ms`, or less when `signal` aborts: it then resolves early rather than throwing, so a loop
 * that is being stopped simply looks at its signal and ends. Tests pass their own.
 */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** A timer that never keeps the process alive by itself. */
export const timerSleep: Sleep = (ms, signal) =>
  signal?.aborted
    ? Promise.resolve()
    : wait(ms, undefined, { signal, ref: false }).then(
        () => undefined,
        () => undefined,
      );
