import { type Deployment, isTerminal } from '../domain/deployment.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { Pacer } from '../lib/pacer.js';
import type { Chat } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import type { DeployNotifier } from '../ports/notifier.js';
import { deploymentMessage } from '../views/deploy.js';
import { type SlackMessage, clip } from '../views/message.js';

export interface ProgressOptions {
  readonly chat: Chat;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Posts per channel: Slack allows about one a second. */
  readonly postIntervalMs?: number;
  /** chat.update per channel: about one a second, with short bursts; Slack's 429s are waited out by the client. */
  readonly updateIntervalMs?: number;
  readonly updateBurst?: number;
  /** A different rendering for some deployments (releases and approvals). */
  readonly render?: (d: Deployment, now: number) => SlackMessage | undefined;
}

/**
 * Keeps each deployment's parent message and thread current without tripping Slack's rate limits:
 * edits are coalesced (the latest state wins) and an outcome is sent before pending progress.
 */
export class SlackProgress implements DeployNotifier {
  private readonly posts = new Map<string, Pacer<string>>();
  private readonly updates = new Map<string, Pacer<string>>();
  private readonly lines = new Map<string, string[]>();
  private readonly threads = new Map<string, string>();

  constructor(private readonly o: ProgressOptions) {}

  private fail(what: string, e: unknown): void {
    this.o.logger.warn(`${what} failed`, { error: errorMessage(e) });
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

  private render(d: Deployment): SlackMessage {
    const now = this.o.clock.now();
    return this.o.render?.(d, now) ?? deploymentMessage(d, now);
  }

  async show(d: Deployment) {
    if (d.messageTs === undefined) {
      let ts = '';
      await this.pacer(d.channel).push(`parent:${d.id}`, async () => {
        ts = (await this.o.chat.post(d.channel, this.render(d))).ts;
      });
      if (!ts) return undefined;
      this.threads.set(d.id, ts);
      const permalink = await this.o.chat.permalink(d.channel, ts).catch(() => undefined);
      return { messageTs: ts, permalink };
    }
    const ts = d.messageTs;
    void this.updater(d.channel).push(
      d.id,
      () => this.o.chat.update(d.channel, ts, this.render(d)),
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
      await this.o.chat.post(channel, { text: clip(batch.join('\n'), 3900) }, ts);
    };
    void this.pacer(channel).push(`thread:${key}`, send);
  }

  async flush(): Promise<void> {
    await Promise.all([...this.posts.values()].map((p) => p.idle()));
    await Promise.all([...this.updates.values()].map((p) => p.idle()));
  }
}
