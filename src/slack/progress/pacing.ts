import { Pacer } from '../../lib/pacer.js';
import { ChatError } from '../../ports/chat.js';
import { type ProgressOptions, failureOf, reportFailure } from './options.js';

/**
 * The paces of Slack calls, per channel: posts at one a second, edits at their own pace. A call that
 * fails for a passing reason is tried again after a backoff (a 429's Retry-After in full).
 */
export class ChannelPacers {
  readonly posts = new Map<string, Pacer<string>>();
  readonly updates = new Map<string, Pacer<string>>();

  constructor(private readonly o: ProgressOptions) {}

  /** How long to wait before trying again after the `attempt`th failure in a row; undefined: give up. */
  private retryIn(e: unknown, attempt: number): number | undefined {
    if (failureOf(e) !== 'passing' || attempt >= (this.o.attempts ?? 5)) return undefined;
    const first = this.o.retryDelayMs ?? this.o.updateIntervalMs ?? 1000;
    const backoff = Math.min(this.o.maxRetryDelayMs ?? 30_000, first * 2 ** (attempt - 1));
    return Math.max(backoff, e instanceof ChatError ? (e.retryAfterMs ?? 0) : 0);
  }

  private paced(
    pacers: Map<string, Pacer<string>>,
    channel: string,
    method: string,
    intervalMs: number,
    burst: number,
    urgentUnpaced = false,
  ): Pacer<string> {
    let p = pacers.get(channel);
    if (!p) {
      p = new Pacer({
        intervalMs,
        burst,
        urgentUnpaced,
        now: () => this.o.clock.now(),
        onError: (e) => reportFailure(this.o, method, e),
        retry: { delayMs: (e, attempt) => this.retryIn(e, attempt), sleep: this.o.sleep },
      });
      pacers.set(channel, p);
    }
    return p;
  }

  /** Posts to `channel`: parent messages, thread lines and announcements, in order. */
  poster(channel: string): Pacer<string> {
    return this.paced(this.posts, channel, 'chat.postMessage', this.o.postIntervalMs ?? 1000, 1);
  }

  /**
   * chat.update is limited per workspace (Tier 3, 50+ a minute with bursts), not per channel: progress
   * edits keep to a pace per channel and coalesce per message, while an outcome (or a wait for people)
   * goes first and does not wait for that pace, only spends from it; a 429 is waited out as Slack says.
   */
  updater(channel: string): Pacer<string> {
    return this.paced(
      this.updates,
      channel,
      'chat.update',
      this.o.updateIntervalMs ?? 1000,
      this.o.updateBurst ?? 3,
      true,
    );
  }

  /** Every pacer made so far. */
  all(): Pacer<string>[] {
    return [...this.posts.values(), ...this.updates.values()];
  }
}
