/** Runs `fn` after `ms`; returns what cancels it. */
export type After = (ms: number, fn: () => void) => () => void;

const realAfter: After = (ms, fn) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

/** Lets the event loop read what has arrived (I/O) before going on. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface AckFirstOptions {
  /**
   * The longest work waits for acknowledgements (1 s), so that a steady stream of deliveries cannot
   * starve it; longer than a burst of deliveries takes to acknowledge on a busy machine.
   */
  readonly maxWaitMs?: number;
  /** How long no delivery must have arrived before work goes (20 ms): a burst's deliveries come ms apart. */
  readonly quietMs?: number;
  readonly after?: After;
  /** A monotonic clock in ms. */
  readonly now?: () => number;
}

/**
 * Acknowledgements before work. Slack gives up on a delivery after 3 s, while the work that follows
 * an acknowledgement (a claim in the ledger, status reads, an answer on response_url) can wait a
 * moment: each delivery counts itself in from the moment it arrives until it is acknowledged, and
 * work after an acknowledgement waits its `turn()` until no delivery is waiting for its own and none
 * arrived for `quietMs` (at most `maxWaitMs` in all). In a burst, every acknowledgement goes out
 * before any delivery's work runs.
 */
export class AckFirst {
  private waiting = 0;
  private lastArrival = -Infinity;
  private readonly idle = new Set<() => void>();
  private readonly maxWaitMs: number;
  private readonly quietMs: number;
  private readonly after: After;
  private readonly now: () => number;

  constructor(o: AckFirstOptions = {}) {
    this.maxWaitMs = o.maxWaitMs ?? 1000;
    this.quietMs = o.quietMs ?? 20;
    this.after = o.after ?? realAfter;
    this.now = o.now ?? (() => performance.now());
  }

  /** Deliveries arrived and not acknowledged yet. */
  get pending(): number {
    return this.waiting;
  }

  /** A delivery arrived; the function returned says it was acknowledged (once, however often called). */
  arrive(): () => void {
    this.waiting++;
    this.lastArrival = this.now();
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.waiting--;
      if (this.waiting === 0) for (const wake of [...this.idle]) wake();
    };
  }

  /** `fn`, each call of which first waits its turn(): for what goes out after an acknowledgement (answers, posts). */
  gate<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    return async (...args) => {
      await this.turn();
      return fn(...args);
    };
  }

  /**
   * Resolves when work may run: once the event loop has read what arrived, no delivery waits for its
   * acknowledgement and none arrived for `quietMs`; or after `maxWaitMs`.
   */
  async turn(): Promise<void> {
    let wake: () => void = () => {};
    let late = false;
    const cancel = this.after(this.maxWaitMs, () => {
      late = true;
      wake();
    });
    try {
      for (;;) {
        await nextTurn();
        if (late) return;
        const quietFor = this.now() - this.lastArrival;
        if (this.waiting === 0 && quietFor >= this.quietMs) return;
        await new Promise<void>((resolve) => {
          let stop = () => {};
          wake = () => {
            this.idle.delete(wake);
            stop();
            resolve();
          };
          if (this.waiting > 0) this.idle.add(wake);
          else stop = this.after(this.quietMs - quietFor, wake);
        });
      }
    } finally {
      cancel();
    }
  }
}
