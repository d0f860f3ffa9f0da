import type { Fact } from '../domain/facts/index.js';
import { createHash } from 'node:crypto';
import { type Deployment, isTerminal } from '../domain/deployment.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { Clock } from '../ports/clock.js';
import type { Announcement, DeployNotifier, Placed } from '../ports/notifier.js';
import type { Store } from '../ports/store.js';

export interface OnceOptions {
  readonly store: Pick<Store, 'claimOnce' | 'get'>;
  /** This replica's name in the ledger. */
  readonly owner: string;
  readonly clock: Clock;
  readonly logger: Logger;
}

const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);

/** What makes an announcement the same event: an outcome per end state, an approval per person, a review per change. */
function announcementKey(d: Deployment, a: Announcement): string {
  switch (a.kind) {
    case 'outcome':
      return `said:${d.id}:outcome:${d.state}`;
    case 'approved':
      return `said:${d.id}:approved:${hash(`${a.by}:${a.remaining}`)}`;
    case 'review_requested':
      return `said:${d.id}:review:${hash(JSON.stringify([a.required, a.approvers, d.review ?? null]))}`;
    case 'continue_requested':
      return `said:${d.id}:continue:${hash(a.waiting)}`;
    case 'alarm_ask':
      return `said:${d.id}:alarm:${hash(JSON.stringify(a.alarm))}${a.remindedAt !== undefined ? `:${a.remindedAt}` : ''}`;
  }
}

/**
 * Makes each Slack post that reports an event happen once across replicas sharing one ledger.
 * Thread lines are claimed one by one (`line:<id>:<n>:<hash>`, n counting repeats of the same
 * text), so a replica that takes a rollout over and sees again what the dead owner already
 * reported posts only what is new. The parent message is claimed too (`parent:<id>`): a replica
 * that loses that claim edits the winner's message, found in the ledger, instead of posting a
 * second one. Announcements (the outcome, an approval, a review to do) are claimed per event.
 * Edits need no claim: the same content twice is the same message.
 */
export class OnceNotifier implements DeployNotifier {
  /** Per deployment, how often each line's text was reported here: repeats of one event are new events. */
  private readonly seen = new Map<string, Map<string, number>>();
  /** Claims and posts per deployment, in order, so a thread keeps the order its lines came in. */
  private readonly queues = new Map<string, Promise<void>>();
  /** Parent messages this replica won the right to post, so a failed post can be retried here. */
  private readonly parents = new Set<string>();
  /** Parent messages another replica posted, as found in the ledger, so our thread lines land under them. */
  private readonly threads = new Map<string, string>();

  constructor(
    private readonly inner: DeployNotifier,
    private readonly o: OnceOptions,
  ) {}

  /** false when another replica claimed `key` first; a ledger that cannot answer lets the post through. */
  private async claim(key: string): Promise<boolean> {
    try {
      return await this.o.store.claimOnce(key, this.o.owner, this.o.clock.now());
    } catch (e) {
      this.o.logger.warn('could not claim a Slack post; posting it anyway', { key, error: errorMessage(e) });
      return true;
    }
  }

  async show(d: Deployment, placed?: Placed) {
    if (isTerminal(d.state)) this.seen.delete(d.id);
    if (d.messageTs !== undefined) {
      this.parents.delete(d.id);
      return this.inner.show(d, placed);
    }
    if (this.parents.has(d.id)) return this.inner.show(d, placed);
    if (await this.claim(`parent:${d.id}`)) {
      this.parents.add(d.id);
      return this.inner.show(d, placed);
    }
    const recorded = await this.o.store.get(d.id);
    if (recorded?.messageTs === undefined) {
      // The winner is posting it right now; its timestamp lands in the ledger, where the next show() finds it.
      this.o.logger.info('another replica posts the message of this deployment', { id: d.id });
      return undefined;
    }
    this.threads.set(d.id, recorded.messageTs);
    return this.inner.show({ ...d, messageTs: recorded.messageTs, permalink: recorded.permalink }, placed);
  }

  detail(d: Deployment, lines: readonly Fact[]): void {
    if (lines.length === 0) return;
    const keys = lines.map((line) => this.keyOf(d.id, JSON.stringify(line)));
    this.enqueue(d, async (to) => {
      const won = await Promise.all(keys.map((k) => this.claim(k)));
      const fresh = lines.filter((_, i) => won[i]);
      if (fresh.length > 0) this.inner.detail(to, fresh);
    });
  }

  announce(d: Deployment, a: Announcement): void {
    const inner = this.inner;
    if (!inner.announce) return;
    const key = announcementKey(d, a);
    this.enqueue(d, async (to) => {
      if (await this.claim(key)) inner.announce?.(to, a);
    });
  }

  /** Runs `post` after everything queued before for `d`, with the thread to post in. */
  private enqueue(d: Deployment, post: (to: Deployment) => Promise<void>): void {
    const previous = this.queues.get(d.id) ?? Promise.resolve();
    const next = previous
      .then(() => {
        const ts = d.messageTs ?? this.threads.get(d.id);
        return post(ts === d.messageTs ? d : { ...d, messageTs: ts });
      })
      .catch((e: unknown) =>
        this.o.logger.warn('could not report to Slack', { id: d.id, error: errorMessage(e) }),
      );
    this.queues.set(d.id, next);
    void next.finally(() => {
      if (this.queues.get(d.id) === next) this.queues.delete(d.id);
    });
  }

  private keyOf(id: string, line: string): string {
    const h = hash(line);
    const counts = this.seen.get(id) ?? new Map<string, number>();
    this.seen.set(id, counts);
    const n = counts.get(h) ?? 0;
    counts.set(h, n + 1);
    return `line:${id}:${n}:${h}`;
  }

  async flush(): Promise<void> {
    await Promise.all([...this.queues.values()]);
    await this.inner.flush();
  }
}
