/**
 * Runs keyed jobs one at a time, at most one per `intervalMs`. A job queued again before it ran
 * replaces the earlier one (latest wins, position kept), which is what coalescing edits needs.
 */
export class Pacer<K> {
  private readonly pending = new Map<K, () => Promise<void>>();
  private last = Number.NEGATIVE_INFINITY;
  private draining: Promise<void> | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly onError: (e: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /** Queues a job; resolves when the queue holding it has drained. */
  push(key: K, job: () => Promise<void>): Promise<void> {
    this.pending.set(key, job);
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  /** Resolves once nothing is queued. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const next = this.pending.entries().next();
      if (next.done) return;
      const [key, job] = next.value;
      const wait = this.last + this.intervalMs - this.now();
      if (wait > 0) {
        await new Promise((r) => setTimeout(r, wait));
        continue; // the job may have been replaced while waiting
      }
      this.pending.delete(key);
      this.last = this.now();
      try {
        await job();
      } catch (e) {
        this.onError(e);
      }
    }
  }
}
