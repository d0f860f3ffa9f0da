export interface FairBudgetOptions {
  /** Calls a second, over every key together. */
  readonly perSecond: number;
  /** Calls that may go at once after a quiet spell (the bucket's size). */
  readonly burst: number;
  /** Tokens only urgent calls may take, so that they find one while routine calls use up the rest. */
  readonly reserve?: number;
  /** How long a key counts among those asking after it last asked. */
  readonly windowMs?: number;
  /** The one clock (ms). */
  readonly now: () => number;
}

/**
 * A rate budget shared by many callers, each with its key (a service), that never waits: take()
 * says at once whether this call may go. Over all keys no more than `perSecond` calls go (a token
 * bucket of `burst`), and no key takes more than its share: with n keys asking, a key goes again
 * only n / perSecond seconds after it last went, so the keys that ask first in each round cannot
 * keep the budget to themselves. Urgent calls skip the share and may use the reserve.
 */
export class FairBudget {
  private tokens: number;
  private filledAt: number;
  private prunedAt: number;
  /** When each key last asked, and last went. */
  private readonly asked = new Map<string, number>();
  private readonly went = new Map<string, number>();
  private readonly reserve: number;
  private readonly windowMs: number;

  constructor(private readonly o: FairBudgetOptions) {
    this.tokens = o.burst;
    this.filledAt = this.prunedAt = o.now();
    this.reserve = Math.min(o.reserve ?? 0, Math.max(0, o.burst - 1));
    this.windowMs = o.windowMs ?? 60_000;
  }

  /** true when the call for `key` may go now (and counts against the budget); false: skip it this time. */
  take(key: string, urgent = false): boolean {
    const now = this.o.now();
    this.tokens = Math.min(this.o.burst, this.tokens + ((now - this.filledAt) / 1000) * this.o.perSecond);
    this.filledAt = now;
    this.asked.set(key, now);
    const shareMs = (this.asked.size / this.o.perSecond) * 1000;
    if (now - this.prunedAt >= 1000) this.prune(now, shareMs);
    const last = this.went.get(key);
    if (!urgent && last !== undefined && now - last < shareMs) return false;
    if (this.tokens < 1 + (urgent ? 0 : this.reserve)) return false;
    this.tokens -= 1;
    this.went.set(key, now);
    return true;
  }

  /** Keys that stopped asking leave the count; keys whose share has passed are free again. */
  private prune(now: number, shareMs: number): void {
    this.prunedAt = now;
    for (const [k, at] of this.asked) if (now - at > this.windowMs) this.asked.delete(k);
    for (const [k, at] of this.went) if (now - at >= shareMs) this.went.delete(k);
  }
}
