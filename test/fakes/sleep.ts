import type { Sleep } from '../../src/lib/sleep.js';
import type { ManualClock } from './ports.js';

export interface Wait {
  readonly ms: number;
  readonly signal: AbortSignal | undefined;
  /** Ends the wait (advancing the clock by its length, when the sleep has one). */
  release(): void;
}

/**
 * The product's Sleep, ended by hand: a wait resolves when the test releases it or when its signal
 * aborts, as timerSleep does. With a clock, releasing a wait moves the clock on by its length, so
 * sleep and clock tell the same time.
 */
export class ManualSleep {
  readonly waits: Wait[] = [];

  constructor(private readonly clock?: ManualClock) {}

  readonly sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const end = () => {
        this.forget(wait);
        signal?.removeEventListener('abort', end);
        resolve();
      };
      const wait: Wait = {
        ms,
        signal,
        release: () => {
          this.clock?.advance(ms);
          end();
        },
      };
      this.waits.push(wait);
      signal?.addEventListener('abort', end, { once: true });
    });

  /** Ends the oldest wait. */
  release(): void {
    this.waits[0]?.release();
  }

  /** Resolves once `n` waits are pending. */
  async pending(n = 1): Promise<void> {
    while (this.waits.length < n) await new Promise((r) => setImmediate(r));
  }

  private forget(w: Wait): void {
    const i = this.waits.indexOf(w);
    if (i >= 0) this.waits.splice(i, 1);
  }
}
