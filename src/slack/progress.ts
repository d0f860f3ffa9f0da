import { type Deployment, isTerminal } from '../domain/deployment.js';
import { handlesOf } from '../domain/policy.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { Pacer } from '../lib/pacer.js';
import type { Chat, GroupResolver } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import type { Announcement, DeployNotifier } from '../ports/notifier.js';
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
  /** chat.update per channel: about one a second, with short bursts; Slack's 429s are waited out by the client. */
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
}

const NO_GROUPS: ReadonlyMap<string, string> = new Map();

/**
 * Keeps each deployment's parent message and thread current without tripping Slack's rate limits:
 * edits are coalesced (the latest state wins) and an outcome is sent before pending progress.
 */
export class SlackProgress implements DeployNotifier {
  private readonly posts = new Map<string, Pacer<string>>();
  private readonly updates = new Map<string, Pacer<string>>();
  private readonly lines = new Map<string, string[]>();
  private readonly threads = new Map<string, string>();
  /** Each deployment's last thread message of details, while nothing was said after it: repeats go into it. */
  private readonly lastDetail = new Map<string, { readonly ts: string; lines: ThreadLine[] }>();
  private said = 0;

  constructor(private readonly o: ProgressOptions) {}

  private fail(what: string, e: unknown): void {
    this.o.logger.warn(`${what} failed`, { error: errorMessage(e) });
    this.o.onError?.(what, e);
  }

  private pacer(channel: string): Pacer<string> {
    let p = this.posts.get(channel);
    if (!p) {
      p = new Pacer(
        this.o.postIntervalMs ?? 1000,
        (e) => this.fail('chat.postMessage', e),
        () => this.o.clock.now(),
      );
      this.posts.set(channel, p);
    }
    return p;
  }

  private updater(channel: string): Pacer<string> {
    let p = this.updates.get(channel);
    if (!p) {
      p = new Pacer(
        this.o.updateIntervalMs ?? 1000,
        (e) => this.fail('chat.update', e),
        () => this.o.clock.now(),
        this.o.updateBurst ?? 3,
      );
      this.updates.set(channel, p);
    }
    return p;
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

  async show(d: Deployment) {
    if (d.messageTs === undefined) {
      let ts = '';
      await this.pacer(d.channel).push(`parent:${d.id}`, async () => {
        ts = (await this.o.chat.post(d.channel, await this.render(d))).ts;
        if (isTerminal(d.state)) this.o.onOutcomeShown?.(d);
      });
      if (!ts) return undefined;
      this.threads.set(d.id, ts);
      const permalink = await this.o.chat.permalink(d.channel, ts).catch(() => undefined);
      return { messageTs: ts, permalink };
    }
    const ts = d.messageTs;
    void this.updater(d.channel).push(
      d.id,
      async () => {
        await this.o.chat.update(d.channel, ts, await this.render(d));
        if (isTerminal(d.state)) this.o.onOutcomeShown?.(d);
      },
      isTerminal(d.state) || d.state === 'awaiting_approval',
    );
    return { messageTs: ts, permalink: d.permalink };
  }

  detail(d: Deployment, lines: readonly string[]): void {
    if (lines.length === 0) return;
    const key = d.id;
    this.lines.set(key, [...(this.lines.get(key) ?? []), ...lines]);
    const channel = d.channel;
    const send = async () => {
      const batch = this.lines.get(key) ?? [];
      this.lines.delete(key);
      const ts = d.messageTs ?? this.threads.get(key);
      if (batch.length === 0 || ts === undefined) return;
      const last = this.lastDetail.get(key);
      const repeated = last && repeatInto(last.lines, batch);
      if (last && repeated) {
        last.lines = repeated;
        await this.o.chat.update(channel, last.ts, { text: clip(threadText(repeated), 3900) });
        return;
      }
      const lines = collapse(batch);
      const posted = await this.o.chat.post(channel, { text: clip(threadText(lines), 3900) }, ts);
      if (!posted.ts) return;
      this.lastDetail.delete(key);
      this.lastDetail.set(key, { ts: posted.ts, lines });
      // Bounded: a deployment that ends without an announcement leaves its entry behind.
      if (this.lastDetail.size > 1000) this.lastDetail.delete(this.lastDetail.keys().next().value!);
    };
    void this.pacer(channel).push(`thread:${key}`, send);
  }

  /** After the details queued so far; each announcement is its own message, none replaces another. */
  announce(d: Deployment, a: Announcement): void {
    this.said += 1;
    void this.pacer(d.channel).push(`said:${d.id}:${this.said}`, async () => {
      // Details that follow start a new message: an older one would show them above what was said.
      this.lastDetail.delete(d.id);
      const asksGroups = a.kind === 'review_requested' && handlesOf(a.approvers).length > 0;
      const groups = asksGroups ? await this.groupIds() : NO_GROUPS;
      const said = announcement(d, a, groups);
      if (!said) return;
      // Without a parent message (Slack refused it) the channel is the only place left to say it.
      const ts = d.messageTs ?? this.threads.get(d.id);
      await this.o.chat.post(d.channel, said.message, ts, { broadcast: said.broadcast });
    });
  }

  async flush(): Promise<void> {
    await Promise.all([...this.posts.values()].map((p) => p.idle()));
    await Promise.all([...this.updates.values()].map((p) => p.idle()));
  }
}
