import type { Deployment } from '../../domain/deployment.js';
import { errorMessage } from '../../lib/errors.js';
import { clip } from '../../views/message.js';
import { type ThreadLine, collapse, repeatInto, threadText } from '../../views/thread.js';
import { CALLER, KEEP, type ProgressOptions, failureOf, reportFailure } from './options.js';
import type { ChannelPacers } from './pacing.js';
import type { Parents } from './parents.js';

/**
 * The lines said in each deployment's thread: queued in order, sent paced as one message, or edited
 * into the last one when they repeat it.
 */
export class ThreadLines {
  /** Thread lines not sent yet, by deployment, in order. */
  private readonly lines = new Map<string, string[]>();
  /** How many of those the call in progress sends. */
  private readonly sending = new Map<string, number>();
  /** Each deployment's last thread message of details, while nothing was said after it: repeats go into it. */
  private readonly lastDetail = new Map<string, { readonly ts: string; lines: ThreadLine[] }>();

  constructor(
    private readonly o: ProgressOptions,
    private readonly pacers: ChannelPacers,
    private readonly parents: Parents,
  ) {}

  /** Queues `said` after the lines queued before, and sends them when the pace allows. */
  add(d: Deployment, said: readonly string[]): void {
    this.lines.set(d.id, [...(this.lines.get(d.id) ?? []), ...said]);
    this.queue(d);
  }

  /** Whether lines of `id` wait to be sent. */
  waiting(id: string): boolean {
    return this.lines.has(id);
  }

  /** Drops the lines of `id` not sent yet (its parent message is gone for good). */
  drop(id: string): void {
    this.lines.delete(id);
  }

  /** Lines that follow start a new thread message (something was said after the last one, or the parent is new). */
  startAnew(id: string): void {
    this.lastDetail.delete(id);
  }

  queue(d: Deployment): void {
    void this.pacers.poster(d.channel).push(
      `thread:${d.id}`,
      () => this.send(d),
      false,
      (e) => this.dropped(d, e),
    );
  }

  /** Sends the thread lines queued so far as one message, or into the last one when they repeat it. */
  private async send(d: Deployment): Promise<void> {
    const key = d.id;
    const batch = this.lines.get(key) ?? [];
    const ts = this.parents.where(d)?.messageTs;
    // Without a parent message yet the lines wait for it.
    if (batch.length === 0 || ts === undefined) return;
    this.sending.set(key, batch.length);
    const last = this.lastDetail.get(key);
    const repeated = last && repeatInto(last.lines, batch);
    if (last && repeated && (await this.editDetail(d, last.ts, repeated))) {
      last.lines = repeated;
    } else {
      const lines = collapse(batch);
      const posted = await this.o.chat.post(d.channel, { text: clip(threadText(lines), 3900) }, ts, CALLER);
      if (posted.ts) {
        this.lastDetail.delete(key);
        this.lastDetail.set(key, { ts: posted.ts, lines });
        // Bounded: a deployment that ends without an announcement leaves its entry behind.
        if (this.lastDetail.size > KEEP) this.lastDetail.delete(this.lastDetail.keys().next().value!);
      }
    }
    this.sent(key, batch.length);
  }

  /** false when that thread message can no longer be edited: the lines then go into a new one. */
  private async editDetail(d: Deployment, ts: string, lines: ThreadLine[]): Promise<boolean> {
    try {
      await this.o.chat.update(d.channel, ts, { text: clip(threadText(lines), 3900) }, CALLER);
      return true;
    } catch (e) {
      if (failureOf(e) === 'passing') throw e;
      reportFailure(this.o, 'chat.update', e);
      this.lastDetail.delete(d.id);
      return false;
    }
  }

  /** Forgets the first `n` queued lines (sent, or given up); lines queued meanwhile stay. */
  private sent(id: string, n: number): void {
    this.sending.delete(id);
    const rest = (this.lines.get(id) ?? []).slice(n);
    if (rest.length > 0) this.lines.set(id, rest);
    else this.lines.delete(id);
  }

  private dropped(d: Deployment, e: unknown): void {
    const n = this.sending.get(d.id) ?? 0;
    this.sent(d.id, n);
    this.o.logger.warn('Slack did not take thread lines of a deployment', {
      id: d.id,
      state: d.state,
      lines: n,
      error: errorMessage(e),
    });
    if (this.lines.has(d.id)) this.queue(d);
  }
}
