import { createHmac } from 'node:crypto';
import type { SlackStandIn } from '../slackApi.js';
import { sharedFile } from '../slackFiles.js';
import {
  blockActions,
  commandBody,
  encodeTyped,
  escapeTyped,
  eventBody,
  viewSubmission,
} from './payloads.js';
import { pageRoutes } from './routes.js';

export { escapeTyped } from './payloads.js';

export interface Channel {
  readonly id: string;
  readonly name: string;
}

export interface BridgeOptions {
  /** Where Capstan receives Slack's requests (`…/slack/events`). */
  readonly eventsUrl: () => string;
  readonly signingSecret: string;
  readonly channels: readonly Channel[];
  /** Extra controls on the page: start the pipeline. */
  readonly startPipeline?: () => string;
}

/**
 * The browser side of the Slack stand-in: a page that looks like a channel, and the calls it makes.
 * Every request it sends to Capstan is signed exactly as Slack signs it.
 */
export class SlackBridge {
  private seq = 0;
  private readonly responseOwners = new Map<string, { user: string; channel: string }>();
  private readonly triggers = new Map<string, string>();
  readonly modals = new Map<string, Record<string, unknown>>();

  constructor(
    private readonly slack: SlackStandIn,
    private readonly o: BridgeOptions,
  ) {
    slack.extraRoutes = pageRoutes(this, o.startPipeline);
    slack.onResponse = (path, body) => this.response(path, body);
    slack.onViewOpen = (trigger, view) => {
      const user = this.triggers.get(trigger);
      if (user) this.modals.set(user, { ...view, id: `V${++this.seq}` });
    };
  }

  private signed(body: string, contentType: string) {
    const ts = Math.floor(Date.now() / 1000);
    const sig = createHmac('sha256', this.o.signingSecret).update(`v0:${ts}:${body}`).digest('hex');
    return fetch(this.o.eventsUrl(), {
      method: 'POST',
      body,
      headers: {
        'content-type': contentType,
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': `v0=${sig}`,
      },
    });
  }

  private note(user: string, channel: string, text: string, blocks: unknown[] = [], from = 'UCAPSTAN'): void {
    this.slack.addMessage({ channel, text, blocks, user: from, ephemeralTo: user });
  }

  private response(path: string, body: Record<string, unknown>): void {
    const owner = this.responseOwners.get(path);
    if (!owner) return;
    const text = typeof body.text === 'string' ? body.text : '';
    const blocks = Array.isArray(body.blocks) ? body.blocks : [];
    if (body.response_type === 'in_channel')
      this.slack.addMessage({ channel: owner.channel, text, blocks, user: 'UCAPSTAN' });
    else this.note(owner.user, owner.channel, text, blocks);
  }

  private newResponseUrl(user: string, channel: string): string {
    const id = `ui-${++this.seq}`;
    this.responseOwners.set(`/response/${id}`, { user, channel });
    return this.slack.responseUrl(id);
  }

  private trigger(user: string): string {
    const t = `${Date.now()}.${++this.seq}.sandbox`;
    this.triggers.set(t, user);
    return t;
  }

  private userOf(id: string) {
    return this.slack.users.find((u) => u.id === id) ?? { id, name: id };
  }

  /** An Events API delivery, signed as Slack signs it. */
  private event(event: Record<string, unknown>): Promise<Response> {
    return this.signed(eventBody(event, ++this.seq), 'application/json');
  }

  private channelName(channel: string): string {
    return this.o.channels.find((c) => c.id === channel)?.name ?? channel;
  }

  private post(payload: unknown): Promise<Response> {
    return this.signed(
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      'application/x-www-form-urlencoded',
    );
  }

  /**
   * Posts what `user` typed in `channel` (in the thread of `threadTs` when given). Mentioning
   * @capstan sends Capstan an `app_mention` event, as Slack does; the answer lands in the thread.
   */
  async message(user: string, channel: string, typed: string, threadTs?: string): Promise<number> {
    if (typed.startsWith('/') && threadTs === undefined) {
      if (/^\/deploy(\s|$)/.test(typed))
        return this.command(user, channel, typed.replace(/^\/deploy\s*/, ''));
      this.note(
        user,
        channel,
        `\`${escapeTyped(typed.split(/\s/)[0] ?? typed)}\` is not a command here: try \`/deploy help\`.`,
      );
      return 200;
    }
    const { text, mentionsBot } = encodeTyped(typed, this.slack.users, this.slack.botUserId);
    const m = this.slack.addMessage({ channel, text, blocks: [], user, threadTs });
    if (!mentionsBot) return 200;
    const r = await this.event({
      type: 'app_mention',
      user,
      text,
      ts: m.ts,
      channel,
      ...(threadTs ? { thread_ts: threadTs } : {}),
      event_ts: m.ts,
    });
    if (r.status !== 200) this.note(user, channel, `Capstan answered ${r.status}.`);
    return r.status;
  }

  /** Opens Capstan's Home tab as `user`: Slack sends `app_home_opened` and the app publishes the view. */
  async openHome(user: string): Promise<number> {
    const current = this.slack.homeViews.get(user);
    const r = await this.event({
      type: 'app_home_opened',
      user,
      channel: `D0${user}`,
      tab: 'home',
      ...(current ? { view: current } : {}),
      event_ts: `${(Date.now() / 1000).toFixed(6)}`,
    });
    return r.status;
  }

  /** Runs `/deploy …` as `user` in `channel`, the way Slack would. */
  async command(user: string, channel: string, text: string): Promise<number> {
    const body = commandBody(
      {
        user: this.userOf(user),
        channel: { id: channel, name: this.channelName(channel) },
        responseUrl: this.newResponseUrl(user, channel),
        triggerId: this.trigger(user),
      },
      text,
    );
    // What the person typed, shown as they typed it (Slack text, so escaped), never as markup.
    this.note(user, channel, `/deploy ${escapeTyped(text)}`, [], user);
    const r = await this.signed(body, 'application/x-www-form-urlencoded');
    const ack = await r.text();
    if (r.status !== 200) this.note(user, channel, `Capstan answered ${r.status}.`);
    else if (ack) {
      try {
        const m = JSON.parse(ack) as { text?: string; blocks?: unknown[] };
        this.note(user, channel, m.text ?? '', m.blocks ?? []);
      } catch {
        this.note(user, channel, ack);
      }
    }
    return r.status;
  }

  /** Clicks a button as `user`. */
  async click(
    user: string,
    channel: string,
    ts: string,
    actionId: string,
    value: string,
    blockId: string,
  ): Promise<number> {
    const message = this.slack.messages.find((m) => m.channel === channel && m.ts === ts);
    const acting = {
      user: this.userOf(user),
      triggerId: this.trigger(user),
      channel: { id: channel, name: this.channelName(channel) },
      responseUrl: this.newResponseUrl(user, channel),
    };
    const r = await this.post(blockActions(acting, ts, message, { actionId, value, blockId }));
    return r.status;
  }

  /** Submits the modal open for `user` with the given input values. */
  async submitView(user: string, values: Record<string, Record<string, string>>): Promise<number> {
    const view = this.modals.get(user);
    if (!view) return 404;
    this.modals.delete(user);
    const r = await this.post(viewSubmission(this.userOf(user), this.trigger(user), view, values));
    return r.status;
  }

  state(user: string) {
    const visible = this.slack.messages.filter((m) => m.ephemeralTo === undefined || m.ephemeralTo === user);
    return {
      users: this.slack.users,
      channels: this.o.channels,
      groups: this.slack.groups.map((g) => ({ id: g.id, handle: g.handle })),
      messages: visible.map((m) => ({
        channel: m.channel,
        ts: m.ts,
        threadTs: m.threadTs,
        text: m.text,
        blocks: m.blocks,
        edits: m.edits,
        ephemeral: m.ephemeralTo !== undefined,
        user: m.user,
        files: m.files?.map((f) => sharedFile(f, this.slack.url)),
      })),
      modal: this.modals.get(user),
      bot: this.slack.botUserId,
      home: this.slack.homeViews.get(user),
    };
  }
}
