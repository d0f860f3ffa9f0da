import { type Sleep, heldSleep } from './sleep.js';

/** Retrying a failed job: how long to wait, and how the wait is waited. */
export interface PacerRetry {
  /**
   * After a key's job failed for the `attempt`th time in a row: milliseconds to wait before the key's
   * job runs again, or undefined to give it up.
   */
  readonly delayMs: (e: unknown, attempt: number) => number | undefined;
  /** How retry delays are waited: the pacer's own sleep by default. */
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
}

export interface PacerOptions {
  /** One token is added every `intervalMs`… */
  readonly intervalMs: number;
  /** …and at most `burst` are held (default 1). */
  readonly burst?: number | undefined;
  readonly now?: (() => number) | undefined;
  /** Told of every failure, whether or not the job will be tried again. */
  readonly onError: (e: unknown) => void;
  /** Without it a failed job is dropped. */
  readonly retry?: PacerRetry | undefined;
  /**
   * Urgent jobs run without waiting for a token; they still spend one (the count may go below
   * zero), so the jobs after them wait the longer. For what must not wait behind the rate, such as
   * a deployment's outcome, where the rate is only Capstan's courtesy and the other side says itself
   * when it is too much (a 429's Retry-After, waited out through `retry`).
   */
  readonly urgentUnpaced?: boolean | undefined;
  /** How waits for a token are waited (and retry delays, unless retry says otherwise); tests pass their own. */
  readonly sleep?: Sleep | undefined;
}

type Job = () => Promise<void>;

interface Queued {
  readonly job: Job;
  /** Told when the job is given up (not tried again). */
  readonly gaveUp: ((e: unknown) => void) | undefined;
}

/**
 * Runs keyed jobs one at a time within a rate: a token bucket refilled one token per `intervalMs`,
 * holding at most `burst`. A job queued again before it ran replaces the earlier one (latest wins,
 * position kept), which is what coalescing edits needs; urgent jobs run before the others. A job that
 * fails is tried again after the delay `retry` gives, in its latest version: a key waiting out its
 * delay takes newer jobs without running them early, so retries send the latest state and keep their
 * backoff. idle() waits for those retries too.
 */
export class Pacer<K> {
  private readonly urgent = new Map<K, Queued>();
  private readonly normal = new Map<K, Queued>();
  /** Keys waiting out a retry delay, with their latest job. */
  private readonly parked = new Map<K, Queued & { urgent: boolean }>();
  /** Failures in a row, by key. */
  private readonly failures = new Map<K, number>();
  private readonly waits = new Set<Promise<void>>();
  private readonly intervalMs: number;
  private readonly burst: number;
  private readonly now: () => number;
  private readonly sleep: Sleep;
  private tokens: number;
  private refilledAt: number;
  private draining: Promise<void> | undefined;
  /** The key whose job runs now. */
  private running: K | undefined;
  /** Told once their key has nothing queued, running or waiting to be retried. */
  private readonly settling = new Map<K, (() => void)[]>();
  /** Ends the wait for a token early: an unpaced urgent job arrived and must not wait behind it. */
  private waking: AbortController | undefined;

  constructor(private readonly o: PacerOptions) {
    this.intervalMs = o.intervalMs;
    this.burst = o.burst ?? 1;
    this.now = o.now ?? Date.now;
    this.sleep = o.sleep ?? heldSleep;
    this.tokens = this.burst;
    this.refilledAt = this.now();
  }

  /** Jobs not done yet: queued, or waiting to be retried. */
  get size(): number {
    return this.urgent.size + this.normal.size + this.parked.size;
  }

  /** Running a job, holding one, or waiting to retry one. */
  get busy(): boolean {
    return this.draining !== undefined || this.size > 0 || this.waits.size > 0;
  }

  /**
   * Queues a job (`gaveUp` is told if it fails for good); resolves when the queue holding it has
   * drained, or at once when its key waits out a retry delay.
   */
  push(key: K, job: Job, urgent = false, gaveUp?: (e: unknown) => void): Promise<void> {
    const queued = { job, gaveUp };
    const parked = this.parked.get(key);
    if (parked) {
      this.parked.set(key, { ...queued, urgent: urgent || parked.urgent });
      return this.draining ?? Promise.resolve();
    }
    if (urgent) {
      this.normal.delete(key);
      this.urgent.set(key, queued);
      if (this.o.urgentUnpaced) this.waking?.abort();
    } else if (this.urgent.has(key)) this.urgent.set(key, queued);
    else this.normal.set(key, queued);
    this.draining ??= this.drain();
    return this.draining;
  }

  /** Resolves once nothing is queued and no retry is waiting. */
  /**
   * Resolves once `key` has no job queued, running or waiting out a retry delay: its latest job ran,
   * or was given up. Other keys' jobs do not hold it up.
   */
  settled(key: K): Promise<void> {
    if (!this.pending(key)) return Promise.resolve();
    return new Promise((resolve) => this.settling.set(key, [...(this.settling.get(key) ?? []), resolve]));
  }

  private pending(key: K): boolean {
    return this.running === key || this.urgent.has(key) || this.normal.has(key) || this.parked.has(key);
  }

  private tellSettled(key: K): void {
    const waiting = this.settling.get(key);
    if (!waiting || this.pending(key)) return;
    this.settling.delete(key);
    for (const resolve of waiting) resolve();
  }

  async idle(): Promise<void> {
    while (this.draining || this.waits.size > 0) await Promise.all([this.draining, ...this.waits]);
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (t - this.refilledAt) / this.intervalMs);
    this.refilledAt = t;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const isUrgent = this.urgent.size > 0;
      const queue = isUrgent ? this.urgent : this.normal;
      const next = queue.entries().next();
      if (next.done) {
        // Cleared here, in the same turn as the check: a job pushed from now on starts a new drain.
        this.draining = undefined;
        return;
      }
      this.refill();
      if (this.tokens < 1 && !(isUrgent && this.o.urgentUnpaced)) {
        // An unpaced urgent job pushed meanwhile ends this wait: after outcomes spent the tokens,
        // the wait can be seconds, and the next outcome must not sit behind it.
        const waking = (this.waking = new AbortController());
        await this.sleep(Math.ceil((1 - this.tokens) * this.intervalMs), waking.signal);
        if (this.waking === waking) this.waking = undefined;
        continue; // the job may have been replaced, or an urgent one queued, while waiting
      }
      const [key, queued] = next.value;
      queue.delete(key);
      this.tokens -= 1;
      this.running = key;
      try {
        await queued.job();
        this.failures.delete(key);
      } catch (e) {
        try {
          this.failed(key, queued, isUrgent, e);
        } catch {
          // A throwing listener must not stop the queue.
        }
      } finally {
        this.running = undefined;
        this.tellSettled(key);
      }
    }
  }

  private failed(key: K, queued: Queued, urgent: boolean, e: unknown): void {
    this.o.onError(e);
    const attempt = (this.failures.get(key) ?? 0) + 1;
    const delay = this.o.retry?.delayMs(e, attempt);
    if (delay === undefined) {
      this.failures.delete(key);
      queued.gaveUp?.(e);
      return;
    }
    this.failures.set(key, attempt);
    // A newer job for this key queued while this one ran is the one to retry, after the delay.
    const newer = this.urgent.get(key) ?? this.normal.get(key);
    const wasUrgent = urgent || this.urgent.has(key);
    this.urgent.delete(key);
    this.normal.delete(key);
    this.parked.set(key, { ...(newer ?? queued), urgent: wasUrgent });
    const resume = () => {
      const p = this.parked.get(key);
      this.parked.delete(key);
      if (p) void this.push(key, p.job, p.urgent, p.gaveUp);
    };
    const wait = (this.o.retry?.sleep ?? this.sleep)(delay).then(resume, resume);
    this.waits.add(wait);
    void wait.finally(() => this.waits.delete(wait));
  }
}
