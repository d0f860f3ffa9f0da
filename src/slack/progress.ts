import { type Fact, factForLog } from '../domain/facts/index.js';
import { sayFact } from '../views/facts/index.js';
import { type Deployment, isTerminal } from '../domain/deployment.js';
import { handlesOf } from '../domain/policy.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { Pacer } from '../lib/pacer.js';
import { type Chat, ChatError, type ChatFailure, type GroupResolver } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import type { Announcement, DeployNotifier, Placed, ShownMessage } from '../ports/notifier.js';
import { announcement } from '../views/announce.js';
import { deploymentMessage } from '../views/deploy.js';
import { type SlackMessage, clip } from '../views/message.js';
import { type ThreadLine, collapse, repeatInto, threadText } from '../views/thread.js';

export interface ProgressOptions {
  readonly chat: Chat;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Posts per channel: Slack allows about one a second. */
  readonly postIntervalMs?: number;
  /**
   * Progress edits (chat.update) per channel: about one a second, with short bursts. An outcome does
   * not wait for this pace; Slack's 429s are waited out as Retry-After says.
   */
  readonly updateIntervalMs?: number;
  readonly updateBurst?: number;
  /**
   * A different rendering for some deployments (releases and approvals). `groupIds` (handle → id)
   * is given while a review waits, so approver groups show as mentions.
   */
  readonly render?: (
    d: Deployment,
    now: number,
    groupIds: ReadonlyMap<string, string>,
  ) => SlackMessage | undefined;
  /** User-group ids, so approver groups are mentioned (and notified) rather than named as text. */
  readonly groups?: GroupResolver | undefined;
  /** Told of each Slack call that failed (metrics); the failure is logged either way. */
  readonly onError?: ((method: string, e: unknown) => void) | undefined;
  /** Told when Slack shows a deployment's end (metrics). */
  readonly onOutcomeShown?: ((d: Deployment) => void) | undefined;
  /** Attempts in all for a call that failed for a passing reason (5xx, 429, network): default 5. */
  readonly attempts?: number | undefined;
  /** The wait after the first such failure, doubled after each next one: default updateIntervalMs. */
  readonly retryDelayMs?: number | undefined;
  /** The longest of those waits (default 30 s); a 429's Retry-After is waited out in full. */
  readonly maxRetryDelayMs?: number | undefined;
  /** How waits between attempts are waited (tests pass their own); by default a timer. */
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
}

const NO_GROUPS: ReadonlyMap<string, string> = new Map();
/** Calls this notifier makes try once: it retries them itself, paced, with the latest state. */
const CALLER = { callerRetries: true } as const;
/** Deployments remembered at most (their parent message, their last thread message). */
const KEEP = 1000;

const failureOf = (e: unknown): ChatFailure => (e instanceof ChatError ? e.failure : 'passing');

/** A deployment's parent message, as this notifier knows it. */
interface Parent {
  /** Where it is, once posted here: first, or anew when the one before could not be edited. */
  ts?: string | undefined;
  permalink?: string | undefined;
  /** Timestamps it replaced (the ledger may still hold one of them). */
  readonly replaced: Set<string>;
  /** It could not be edited: the next attempt posts it anew. */
  lost?: boolean;
  /** Slack refused it for good (the channel is gone or archived): progress is not sent any more, the outcome still is. */
  unreachable?: boolean;
  /** Who records where it is, when it lands where the caller could not be told at once. */
  placed?: Placed | undefined;
}

/**
 * Keeps each deployment's parent message and thread current without tripping Slack's rate limits:
 * edits are coalesced (the latest state wins) and an outcome is sent before pending progress. A call
 * that fails for a passing reason is tried again after a backoff, with the latest state; a message
 * that cannot be edited is posted anew, and whoever shows the deployment is told where it now is.
 */
export class SlackProgress implements DeployNotifier {
  private readonly posts = new Map<string, Pacer<string>>();
  private readonly updates = new Map<string, Pacer<string>>();
  private readonly parents = new Map<string, Parent>();
  /** Thread lines not sent yet, by deployment, in order. */
  private readonly lines = new Map<string, string[]>();
  /** How many of those the call in progress sends. */
  private readonly sending = new Map<string, number>();
  /** Each deployment's last thread message of details, while nothing was said after it: repeats go into it. */
  private readonly lastDetail = new Map<string, { readonly ts: string; lines: ThreadLine[] }>();
  private said = 0;
  /** Outcome announcements waiting for the parent message's last edit (flush waits for them too). */
  private readonly deferred = new Set<Promise<void>>();

  constructor(private readonly o: ProgressOptions) {}

  private fail(method: string, e: unknown): void {
    const what = e instanceof ChatError ? e.method : method;
    this.o.logger.warn(`${what} failed`, { error: errorMessage(e) });
    this.o.onError?.(what, e);
  }

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
        onError: (e) => this.fail(method, e),
        retry: { delayMs: (e, attempt) => this.retryIn(e, attempt), sleep: this.o.sleep },
      });
      pacers.set(channel, p);
    }
    return p;
  }

  private pacer(channel: string): Pacer<string> {
    return this.paced(this.posts, channel, 'chat.postMessage', this.o.postIntervalMs ?? 1000, 1);
  }

  /**
   * chat.update is limited per workspace (Tier 3, 50+ a minute with bursts), not per channel: progress
   * edits keep to a pace per channel and coalesce per message, while an outcome (or a wait for people)
   * goes first and does not wait for that pace, only spends from it; a 429 is waited out as Slack says.
   */
  private updater(channel: string): Pacer<string> {
    return this.paced(
      this.updates,
      channel,
      'chat.update',
      this.o.updateIntervalMs ?? 1000,
      this.o.updateBurst ?? 3,
      true,
    );
  }

  private parent(id: string): Parent {
    let p = this.parents.get(id);
    if (!p) {
      p = { replaced: new Set() };
      this.parents.set(id, p);
      if (this.parents.size > KEEP) this.parents.delete(this.parents.keys().next().value!);
    }
    return p;
  }

  /** Where `d`'s parent message is: where this notifier put it, else where the ledger says. */
  private where(d: Deployment): ShownMessage | undefined {
    const p = this.parents.get(d.id);
    if (
      p?.ts !== undefined &&
      (d.messageTs === undefined || d.messageTs === p.ts || p.replaced.has(d.messageTs))
    ) {
      return { messageTs: p.ts, permalink: p.permalink ?? (d.messageTs === p.ts ? d.permalink : undefined) };
    }
    return d.messageTs === undefined ? undefined : { messageTs: d.messageTs, permalink: d.permalink };
  }

  private async groupIds(): Promise<ReadonlyMap<string, string>> {
    if (!this.o.groups) return NO_GROUPS;
    return this.o.groups.groupIds().catch((e: unknown) => {
      this.fail('usergroups.list', e);
      return NO_GROUPS;
    });
  }

  private async render(d: Deployment): Promise<SlackMessage> {
    const groups = d.state === 'awaiting_approval' ? await this.groupIds() : NO_GROUPS;
    const now = this.o.clock.now();
    return this.o.render?.(d, now, groups) ?? deploymentMessage(d, now);
  }

  async show(d: Deployment, placed?: Placed) {
    const p = this.parent(d.id);
    const at = this.where(d);
    if (p.unreachable && !isTerminal(d.state)) return at;
    const gaveUp = (e: unknown) => this.gaveUp(d, e);
    if (at === undefined) {
      await this.pacer(d.channel).push(`parent:${d.id}`, () => this.place(d), false, gaveUp);
      const now = this.where(d);
      // Not posted yet (a retry waits): where it lands is told to `placed`.
      if (now === undefined && placed) p.placed = placed;
      return now;
    }
    if (placed) p.placed = placed;
    const urgent = isTerminal(d.state) || d.state === 'awaiting_approval';
    void this.updater(d.channel).push(d.id, () => this.edit(d), urgent, gaveUp);
    return at;
  }

  private async edit(d: Deployment): Promise<void> {
    const p = this.parent(d.id);
    const at = this.where(d);
    if (p.lost || at === undefined) return this.place(d);
    const message = await this.render(d);
    try {
      await this.o.chat.update(d.channel, at.messageTs, message, CALLER);
    } catch (e) {
      if (failureOf(e) === 'passing') throw e;
      this.fail('chat.update', e);
      this.o.logger.warn('the message of a deployment cannot be edited; posting it anew', {
        id: d.id,
        state: d.state,
        error: errorMessage(e),
      });
      p.lost = true;
      return this.place(d);
    }
    if (isTerminal(d.state)) this.o.onOutcomeShown?.(d);
  }

  /** Posts the parent message, first or anew, and tells whoever records where it is. */
  private async place(d: Deployment): Promise<void> {
    const p = this.parent(d.id);
    const before = this.where(d)?.messageTs;
    const message = await this.render(d);
    const { ts } = await this.o.chat.post(d.channel, message, undefined, CALLER).catch((e: unknown) => {
      if (failureOf(e) !== 'content') throw e;
      // Slack refused the blocks or their size: the text alone still says how it stands.
      this.fail('chat.postMessage', e);
      return this.o.chat.post(d.channel, { text: clip(message.text, 3900) }, undefined, CALLER);
    });
    if (!ts) return;
    if (before !== undefined) p.replaced.add(before);
    if (d.messageTs !== undefined) p.replaced.add(d.messageTs);
    // Known at once, so a thread line sent meanwhile goes under the new message, not the lost one.
    Object.assign(p, { ts, permalink: undefined, lost: false, unreachable: false });
    const permalink = await this.o.chat.permalink(d.channel, ts).catch(() => undefined);
    if (p.ts === ts) p.permalink = permalink;
    // Details that follow go into the new thread.
    this.lastDetail.delete(d.id);
    if (before !== undefined)
      this.o.logger.info('posted the message of a deployment anew', { id: d.id, state: d.state, ts });
    if (isTerminal(d.state)) this.o.onOutcomeShown?.(d);
    if (this.lines.has(d.id)) this.queueLines(d);
    await p.placed?.({ messageTs: ts, permalink }).catch((e: unknown) =>
      this.o.logger.warn('could not record where the message of a deployment is', {
        id: d.id,
        ts,
        error: errorMessage(e),
      }),
    );
  }

  /** Fact once the parent message could not be shown: the ledger, status and history still have it. */
  private gaveUp(d: Deployment, e: unknown): void {
    if (failureOf(e) !== 'passing') {
      this.parent(d.id).unreachable = true;
      this.lines.delete(d.id);
    }
    const fields = {
      id: d.id,
      app: d.app,
      env: d.env,
      version: d.toVersion,
      state: d.state,
      reason: d.cause ? factForLog(d.cause) : d.reason,
      channel: d.channel,
      error: errorMessage(e),
    };
    if (isTerminal(d.state))
      this.o.logger.error('Slack did not take the outcome of a deployment; the ledger has it', fields);
    else this.o.logger.warn('Slack did not take the state of a deployment', fields);
  }

  detail(d: Deployment, said: readonly Fact[]): void {
    if (said.length === 0 || this.parents.get(d.id)?.unreachable) return;
    this.lines.set(d.id, [...(this.lines.get(d.id) ?? []), ...said.map(sayFact)]);
    this.queueLines(d);
  }

  private queueLines(d: Deployment): void {
    void this.pacer(d.channel).push(
      `thread:${d.id}`,
      () => this.sendLines(d),
      false,
      (e) => this.linesDropped(d, e),
    );
  }

  /** Sends the thread lines queued so far as one message, or into the last one when they repeat it. */
  private async sendLines(d: Deployment): Promise<void> {
    const key = d.id;
    const batch = this.lines.get(key) ?? [];
    const ts = this.where(d)?.messageTs;
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
      this.fail('chat.update', e);
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

  private linesDropped(d: Deployment, e: unknown): void {
    const n = this.sending.get(d.id) ?? 0;
    this.sent(d.id, n);
    this.o.logger.warn('Slack did not take thread lines of a deployment', {
      id: d.id,
      state: d.state,
      lines: n,
      error: errorMessage(e),
    });
    if (this.lines.has(d.id)) this.queueLines(d);
  }

  /** After the details queued so far; each announcement is its own message, none replaces another. */
  announce(d: Deployment, a: Announcement): void {
    if (a.kind !== 'outcome') return this.say(d, a);
    // The outcome goes under the parent message as it stands after its last edit, retries included
    // (posted anew if it was lost), or after its first post.
    const later: Promise<void> = Promise.all([
      this.updates.get(d.channel)?.settled(d.id),
      this.posts.get(d.channel)?.settled(`parent:${d.id}`),
    ])
      .then(() => this.say(d, a))
      .finally(() => this.deferred.delete(later));
    this.deferred.add(later);
  }

  private say(d: Deployment, a: Announcement): void {
    this.said += 1;
    void this.pacer(d.channel).push(
      `said:${d.id}:${this.said}`,
      async () => {
        // Details that follow start a new message: an older one would show them above what was said.
        this.lastDetail.delete(d.id);
        const asksGroups =
          (a.kind === 'review_requested' || a.kind === 'continue_requested' || a.kind === 'alarm_ask') &&
          handlesOf(a.approvers).length > 0;
        const groups = asksGroups ? await this.groupIds() : NO_GROUPS;
        const said = announcement(d, a, groups);
        if (!said) return;
        // Without a parent message (Slack refused it) the channel is the only place left to say it.
        const ts = this.where(d)?.messageTs;
        await this.o.chat.post(d.channel, said.message, ts, { broadcast: said.broadcast, ...CALLER });
      },
      false,
      (e) => {
        const reason = d.cause ? factForLog(d.cause) : d.reason;
        const fields = { id: d.id, kind: a.kind, state: d.state, reason, error: errorMessage(e) };
        if (a.kind === 'outcome')
          this.o.logger.error('Slack did not take the announcement of an outcome', fields);
        else this.o.logger.warn('Slack did not take an announcement', fields);
      },
    );
  }

  /** Waits for everything queued, retries included: an outcome is never left behind. */
  async flush(): Promise<void> {
    const pacers = () => [...this.posts.values(), ...this.updates.values()];
    while (this.deferred.size > 0 || pacers().some((p) => p.busy))
      await Promise.all([...this.deferred, ...pacers().map((p) => p.idle())]);
  }
}
