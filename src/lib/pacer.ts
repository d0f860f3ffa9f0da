/**
 * Runs keyed jobs one at a time within a rate: a token bucket refilled one token per `intervalMs`,
 * holding at most `burst`. A job queued again before it ran replaces the earlier one (latest wins,
 * position kept), which is what coalescing edits needs; urgent jobs run before the others.
 */
export class Pacer<K> {
  private readonly urgent = new Map<K, () => Promise<void>>();
  private readonly normal = new Map<K, () => Promise<void>>();
  private tokens: number;
  private refilledAt: number;
  private draining: Promise<void> | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly onError: (e: unknown) => void,
    private readonly now: () => number = Date.now,
    private readonly burst = 1,
  ) {
    this.tokens = burst;
    this.refilledAt = now();
  }

  get size(): number {
    return this.urgent.size + this.normal.size;
  }

  /** Queues a job; resolves when the queue holding it has drained. */
  push(key: K, job: () => Promise<void>, urgent = false): Promise<void> {
    if (urgent) {
      this.normal.delete(key);
      this.urgent.set(key, job);
    } else if (this.urgent.has(key)) this.urgent.set(key, job);
    else this.normal.set(key, job);
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  /** Resolves once nothing is queued. */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (t - this.refilledAt) / this.intervalMs);
    this.refilledAt = t;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const queue = this.urgent.size > 0 ? this.urgent : this.normal;
      const next = queue.entries().next();
      if (next.done) return;
      this.refill();
      if (this.tokens < 1) {
        await new Promise((r) => setTimeout(r, Math.ceil((1 - this.tokens) * this.intervalMs)));
        continue; // the job may have been replaced, or an urgent one queued, while waiting
      }
      const [key, job] = next.value;
      queue.delete(key);
      this.tokens -= 1;
      try {
        await job();
      } catch (e) {
        this.onError(e);
      }
    }
  }
}
