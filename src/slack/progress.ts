import { type Fact, factForLog } from '../domain/facts/index.js';
import { sayFact } from '../views/facts/index.js';
import { type Deployment, isTerminal } from '../domain/deployment.js';
import { handlesOf } from '../domain/policy.js';
import { errorMessage } from '../lib/errors.js';
import type { Announcement, DeployNotifier, Placed } from '../ports/notifier.js';
import { announcement } from '../views/announce.js';
import { deploymentMessage } from '../views/deploy.js';
import { type SlackMessage, clip } from '../views/message.js';
import { CALLER, NO_GROUPS, type ProgressOptions, failureOf, reportFailure } from './progress/options.js';
import { ChannelPacers } from './progress/pacing.js';
import { Parents } from './progress/parents.js';
import { ThreadLines } from './progress/thread.js';

export type { ProgressOptions } from './progress/options.js';

/**
 * Keeps each deployment's parent message and thread current without tripping Slack's rate limits:
 * edits are coalesced (the latest state wins) and an outcome is sent before pending progress. A call
 * that fails for a passing reason is tried again after a backoff, with the latest state; a message
 * that cannot be edited is posted anew, and whoever shows the deployment is told where it now is.
 */
export class SlackProgress implements DeployNotifier {
  private readonly pacers: ChannelPacers;
  private readonly parents = new Parents();
  private readonly thread: ThreadLines;
  private said = 0;
  /** Outcome announcements waiting for the parent message's last edit (flush waits for them too). */
  private readonly deferred = new Set<Promise<void>>();

  constructor(private readonly o: ProgressOptions) {
    this.pacers = new ChannelPacers(o);
    this.thread = new ThreadLines(o, this.pacers, this.parents);
  }

  private async groupIds(): Promise<ReadonlyMap<string, string>> {
    if (!this.o.groups) return NO_GROUPS;
    return this.o.groups.groupIds().catch((e: unknown) => {
      reportFailure(this.o, 'usergroups.list', e);
      return NO_GROUPS;
    });
  }

  private async render(d: Deployment): Promise<SlackMessage> {
    const groups = d.state === 'awaiting_approval' ? await this.groupIds() : NO_GROUPS;
    const now = this.o.clock.now();
    return this.o.render?.(d, now, groups) ?? deploymentMessage(d, now);
  }

  async show(d: Deployment, placed?: Placed) {
    const p = this.parents.of(d.id);
    const at = this.parents.where(d);
    if (p.unreachable && !isTerminal(d.state)) return at;
    const gaveUp = (e: unknown) => this.gaveUp(d, e);
    if (at === undefined) {
      await this.pacers.poster(d.channel).push(`parent:${d.id}`, () => this.place(d), false, gaveUp);
      const now = this.parents.where(d);
      // Not posted yet (a retry waits): where it lands is told to `placed`.
      if (now === undefined && placed) p.placed = placed;
      return now;
    }
    if (placed) p.placed = placed;
    const urgent = isTerminal(d.state) || d.state === 'awaiting_approval';
    void this.pacers.updater(d.channel).push(d.id, () => this.edit(d), urgent, gaveUp);
    return at;
  }

  /** A state recorded while this replica still followed the rollout, which it may no longer show (ProgressOptions.lapsedAt). */
  private stale(d: Deployment): boolean {
    if (isTerminal(d.state) && d.state !== 'outcome_unknown') return false;
    const since = this.o.lapsedAt?.(d.id);
    return since !== undefined && d.updatedAt < since;
  }

  private async edit(d: Deployment): Promise<void> {
    const p = this.parents.of(d.id);
    const at = this.parents.where(d);
    if (p.lost || at === undefined) return this.place(d);
    const message = await this.render(d);
    // Checked at the last moment: a replica stalled with this edit queued wakes up here.
    if (this.stale(d)) return;
    try {
      await this.o.chat.update(d.channel, at.messageTs, message, CALLER);
    } catch (e) {
      if (failureOf(e) === 'passing') throw e;
      reportFailure(this.o, 'chat.update', e);
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
    const p = this.parents.of(d.id);
    const before = this.parents.where(d)?.messageTs;
    const message = await this.render(d);
    if (this.stale(d)) return;
    const { ts } = await this.o.chat.post(d.channel, message, undefined, CALLER).catch((e: unknown) => {
      if (failureOf(e) !== 'content') throw e;
      // Slack refused the blocks or their size: the text alone still says how it stands.
      reportFailure(this.o, 'chat.postMessage', e);
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
    this.thread.startAnew(d.id);
    if (before !== undefined)
      this.o.logger.info('posted the message of a deployment anew', { id: d.id, state: d.state, ts });
    if (isTerminal(d.state)) this.o.onOutcomeShown?.(d);
    if (this.thread.waiting(d.id)) this.thread.queue(d);
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
      this.parents.of(d.id).unreachable = true;
      this.thread.drop(d.id);
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
    if (said.length === 0 || this.parents.known(d.id)?.unreachable) return;
    this.thread.add(d, said.map(sayFact));
  }

  /** After the details queued so far; each announcement is its own message, none replaces another. */
  announce(d: Deployment, a: Announcement): void {
    if (a.kind !== 'outcome') return this.say(d, a);
    // The outcome goes under the parent message as it stands after its last edit, retries included
    // (posted anew if it was lost), or after its first post.
    const later: Promise<void> = Promise.all([
      this.pacers.updates.get(d.channel)?.settled(d.id),
      this.pacers.posts.get(d.channel)?.settled(`parent:${d.id}`),
    ])
      .then(() => this.say(d, a))
      .finally(() => this.deferred.delete(later));
    this.deferred.add(later);
  }

  private say(d: Deployment, a: Announcement): void {
    this.said += 1;
    void this.pacers.poster(d.channel).push(
      `said:${d.id}:${this.said}`,
      async () => {
        // Details that follow start a new message: an older one would show them above what was said.
        this.thread.startAnew(d.id);
        const asksGroups =
          (a.kind === 'review_requested' || a.kind === 'continue_requested' || a.kind === 'alarm_ask') &&
          handlesOf(a.approvers).length > 0;
        const groups = asksGroups ? await this.groupIds() : NO_GROUPS;
        const said = announcement(d, a, groups);
        if (!said) return;
        // Without a parent message (Slack refused it) the channel is the only place left to say it.
        const ts = this.parents.where(d)?.messageTs;
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
    const pacers = () => this.pacers.all();
    while (this.deferred.size > 0 || pacers().some((p) => p.busy))
      await Promise.all([...this.deferred, ...pacers().map((p) => p.idle())]);
  }
}
