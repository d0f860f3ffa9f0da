import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SlackStandIn } from '../slackApi.js';
import { PAGE } from './page.js';

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

/** What a person typed, as Slack's client sends it: &, < and > escaped (only those three). */
export function escapeTyped(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
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
    slack.extraRoutes = (req, res, url, raw) => this.route(req, res, url, raw);
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
    const body = JSON.stringify({
      token: 'sandbox',
      team_id: 'T0SANDBOX',
      api_app_id: 'A0CAPSTAN',
      type: 'event_callback',
      event_id: `Ev${Date.now()}${++this.seq}`,
      event_time: Math.floor(Date.now() / 1000),
      event,
    });
    return this.signed(body, 'application/json');
  }

  /**
   * Encodes what a person typed the way Slack's client does: &, < and > escaped, and `@name`
   * turned into a mention of that user (or of Capstan).
   */
  private encode(text: string): { text: string; mentionsBot: boolean } {
    const escaped = escapeTyped(text);
    let mentionsBot = false;
    const encoded = escaped.replace(/(^|[\s(])@([a-z0-9._-]+)/gi, (all, pre: string, name: string) => {
      if (name.toLowerCase() === 'capstan') {
        mentionsBot = true;
        return `${pre}<@${this.slack.botUserId}>`;
      }
      const u = this.slack.users.find((x) => x.name.toLowerCase() === name.toLowerCase());
      return u ? `${pre}<@${u.id}>` : all;
    });
    return { text: encoded, mentionsBot };
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
    const { text, mentionsBot } = this.encode(typed);
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
    const u = this.userOf(user);
    const body = new URLSearchParams({
      token: 'sandbox',
      team_id: 'T0SANDBOX',
      team_domain: 'sandbox',
      channel_id: channel,
      channel_name: this.o.channels.find((c) => c.id === channel)?.name ?? channel,
      user_id: u.id,
      user_name: u.name,
      command: '/deploy',
      text,
      response_url: this.newResponseUrl(user, channel),
      trigger_id: this.trigger(user),
      api_app_id: 'A0CAPSTAN',
    }).toString();
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
    const u = this.userOf(user);
    const message = this.slack.messages.find((m) => m.channel === channel && m.ts === ts);
    const payload = {
      type: 'block_actions',
      user: { id: u.id, username: u.name, name: u.name, team_id: 'T0SANDBOX' },
      api_app_id: 'A0CAPSTAN',
      token: 'sandbox',
      container: { type: 'message', message_ts: ts, channel_id: channel, is_ephemeral: false },
      trigger_id: this.trigger(user),
      team: { id: 'T0SANDBOX', domain: 'sandbox' },
      channel: { id: channel, name: this.o.channels.find((c) => c.id === channel)?.name ?? channel },
      message: message ? { ts, text: message.text, blocks: message.blocks } : undefined,
      response_url: this.newResponseUrl(user, channel),
      actions: [
        {
          type: 'button',
          action_id: actionId,
          block_id: blockId,
          value,
          text: { type: 'plain_text', text: actionId },
          action_ts: String(Date.now() / 1000),
        },
      ],
    };
    const r = await this.signed(
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      'application/x-www-form-urlencoded',
    );
    return r.status;
  }

  /** Submits the modal open for `user` with the given input values. */
  async submitView(user: string, values: Record<string, Record<string, string>>): Promise<number> {
    const view = this.modals.get(user);
    if (!view) return 404;
    this.modals.delete(user);
    const u = this.userOf(user);
    const state = {
      values: Object.fromEntries(
        Object.entries(values).map(([block, actions]) => [
          block,
          Object.fromEntries(
            Object.entries(actions).map(([a, v]) => [a, { type: 'plain_text_input', value: v }]),
          ),
        ]),
      ),
    };
    const payload = {
      type: 'view_submission',
      team: { id: 'T0SANDBOX', domain: 'sandbox' },
      user: { id: u.id, username: u.name, name: u.name, team_id: 'T0SANDBOX' },
      api_app_id: 'A0CAPSTAN',
      token: 'sandbox',
      trigger_id: this.trigger(user),
      view: { ...view, state, hash: 'sandbox' },
    };
    const r = await this.signed(
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      'application/x-www-form-urlencoded',
    );
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
      })),
      modal: this.modals.get(user),
      bot: this.slack.botUserId,
      home: this.slack.homeViews.get(user),
    };
  }

  private async route(req: IncomingMessage, res: ServerResponse, url: URL, raw: string): Promise<boolean> {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    // Permalinks (`/archives/<channel>/p<ts>`) open the page, which then shows that message's thread.
    if (
      req.method === 'GET' &&
      (url.pathname === '/' || /^\/archives\/[A-Z0-9]+\/p\d+$/.test(url.pathname))
    ) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(PAGE);
      return true;
    }
    if (!url.pathname.startsWith('/ui/')) return false;
    const input = raw ? (JSON.parse(raw) as Record<string, string>) : {};
    switch (url.pathname) {
      case '/ui/state':
        json(200, this.state(url.searchParams.get('user') ?? ''));
        return true;
      case '/ui/command':
        json(200, { status: await this.command(input.user ?? '', input.channel ?? '', input.text ?? '') });
        return true;
      case '/ui/click':
        json(200, {
          status: await this.click(
            input.user ?? '',
            input.channel ?? '',
            input.ts ?? '',
            input.actionId ?? '',
            input.value ?? '',
            input.blockId ?? '',
          ),
        });
        return true;
      case '/ui/view':
        json(200, {
          status: await this.submitView(
            input.user ?? '',
            JSON.parse(input.values ?? '{}') as Record<string, Record<string, string>>,
          ),
        });
        return true;
      case '/ui/message':
        json(200, {
          status: await this.message(
            input.user ?? '',
            input.channel ?? '',
            input.text ?? '',
            input.threadTs || undefined,
          ),
        });
        return true;
      case '/ui/home':
        json(200, { status: await this.openHome(input.user ?? '') });
        return true;
      case '/ui/pipeline':
        json(200, { execution: this.o.startPipeline?.() });
        return true;
      default:
        json(404, { error: 'unknown' });
        return true;
    }
  }
}
