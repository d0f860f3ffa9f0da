import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Slack Web API (reached through SLACK_API_URL) and for response_url.
 * It keeps channels, threads and edits the way Slack does, and records every call so tests and
 * benchmarks can assert on them. It is never imported by production code.
 */
export interface RecordedCall {
  readonly method: string;
  readonly args: Record<string, unknown>;
  readonly at: number;
}

export interface StoredMessage {
  readonly channel: string;
  readonly ts: string;
  readonly threadTs?: string | undefined;
  text: string;
  blocks: unknown[];
  readonly user: string;
  edits: number;
  readonly ephemeralTo?: string | undefined;
}

export interface SlackUser {
  readonly id: string;
  readonly name: string;
  /** Shown in the sandbox's user switcher. */
  readonly role?: string;
}

export interface SlackStandInOptions {
  readonly users?: readonly SlackUser[];
  readonly groups?: readonly { id: string; handle: string; users: string[] }[];
  readonly botUserId?: string;
}

export class SlackStandIn {
  readonly calls: RecordedCall[] = [];
  readonly messages: StoredMessage[] = [];
  readonly responses: { url: string; body: Record<string, unknown> }[] = [];
  /** Methods that answer 429 with Retry-After once per entry. */
  readonly rateLimitOnce = new Map<string, number>();
  /** Methods that answer `{ ok: false, error }` once per entry. */
  readonly failOnce = new Map<string, string>();
  private server: Server | undefined;
  private seq = 0;
  private listeners = new Set<() => void>();
  readonly users: SlackUser[];
  readonly groups: { id: string; handle: string; users: string[] }[];
  readonly botUserId: string;
  url = '';
  /** Extra HTTP routes (the sandbox's browser page); true when handled. */
  extraRoutes:
    | ((req: IncomingMessage, res: ServerResponse, url: URL, raw: string) => boolean | Promise<boolean>)
    | undefined;
  /** Called for every response_url post, after it was recorded. */
  onResponse: ((path: string, body: Record<string, unknown>) => void) | undefined;
  /** Called for views.open, after it was recorded. */
  onViewOpen: ((triggerId: string, view: Record<string, unknown>) => void) | undefined;

  constructor(opts: SlackStandInOptions = {}) {
    this.users = [...(opts.users ?? [])];
    this.groups = (opts.groups ?? []).map((g) => ({ ...g, users: [...g.users] }));
    this.botUserId = opts.botUserId ?? 'UCAPSTAN';
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    const addr = this.server.address() as AddressInfo;
    this.url = `http://${host}:${addr.port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections?.();
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  responseUrl(id: string): string {
    return `${this.url}/response/${id}`;
  }

  /** Resolves when `predicate` holds, checked after every call. */
  waitFor<T>(predicate: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const v = predicate();
        if (v !== undefined && v !== false) {
          this.listeners.delete(check);
          clearTimeout(timer);
          clearInterval(poll);
          resolve(v);
          return true;
        }
        return false;
      };
      // Also polled, so conditions that change outside this stand-in (an AWS fake, a timer) are seen.
      const poll = setInterval(check, 25);
      const timer = setTimeout(() => {
        clearInterval(poll);
        this.listeners.delete(check);
        reject(
          new Error(
            `timed out waiting in the Slack stand-in; last calls: ${JSON.stringify(this.calls.slice(-5).map((c) => c.method))}`,
          ),
        );
      }, timeoutMs);
      if (!check()) this.listeners.add(check);
    });
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  channelMessages(channel: string): StoredMessage[] {
    return this.messages.filter(
      (m) => m.channel === channel && m.threadTs === undefined && m.ephemeralTo === undefined,
    );
  }

  thread(channel: string, ts: string): StoredMessage[] {
    return this.messages.filter((m) => m.channel === channel && m.threadTs === ts);
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Adds a message as a person would (the sandbox page's ephemeral notes and echoes). */
  addMessage(m: Omit<StoredMessage, 'ts' | 'edits'>): StoredMessage {
    const stored: StoredMessage = { ...m, ts: this.nextTs(), edits: 0 };
    this.messages.push(stored);
    this.notify();
    return stored;
  }

  private nextTs(): string {
    this.seq += 1;
    return `${Math.floor(Date.now() / 1000)}.${String(this.seq).padStart(6, '0')}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (this.extraRoutes && (await this.extraRoutes(req, res, url, raw))) return;
    if (url.pathname.startsWith('/response/')) {
      const body = JSON.parse(raw || '{}') as Record<string, unknown>;
      this.responses.push({ url: url.pathname, body });
      this.onResponse?.(url.pathname, body);
      this.calls.push({ method: 'response_url', args: body, at: Date.now() });
      send(200, { ok: true });
      this.notify();
      return;
    }
    if (!url.pathname.startsWith('/api/')) return send(404, { ok: false, error: 'unknown_path' });
    const method = url.pathname.slice('/api/'.length);
    const args = parseArgs(raw, req.headers['content-type']);
    const limited = this.rateLimitOnce.get(method);
    if (limited !== undefined) {
      this.rateLimitOnce.delete(method);
      this.calls.push({ method: `${method}:429`, args, at: Date.now() });
      return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(limited) });
    }
    const failure = this.failOnce.get(method);
    if (failure !== undefined) {
      this.failOnce.delete(method);
      this.calls.push({ method: `${method}:error`, args, at: Date.now() });
      return send(200, { ok: false, error: failure });
    }
    this.calls.push({ method, args, at: Date.now() });
    try {
      send(200, this.apply(method, args));
    } finally {
      this.notify();
    }
  }

  private apply(method: string, a: Record<string, unknown>): Record<string, unknown> {
    const str = (k: string) => (typeof a[k] === 'string' ? a[k] : undefined);
    const blocks = (): unknown[] => {
      const b = a.blocks;
      if (typeof b === 'string') return JSON.parse(b) as unknown[];
      return Array.isArray(b) ? b : [];
    };
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          user_id: this.botUserId,
          bot_id: 'BCAPSTAN',
          team_id: 'T0SANDBOX',
          user: 'capstan',
          team: 'Sandbox',
        };
      case 'chat.postMessage': {
        const channel = str('channel');
        if (!channel) return { ok: false, error: 'channel_not_found' };
        const ts = this.nextTs();
        this.messages.push({
          channel,
          ts,
          threadTs: str('thread_ts'),
          text: str('text') ?? '',
          blocks: blocks(),
          user: this.botUserId,
          edits: 0,
        });
        return { ok: true, channel, ts, message: { ts, text: str('text') } };
      }
      case 'chat.update': {
        const m = this.messages.find((x) => x.channel === str('channel') && x.ts === str('ts'));
        if (!m) return { ok: false, error: 'message_not_found' };
        m.text = str('text') ?? m.text;
        m.blocks = blocks();
        m.edits += 1;
        return { ok: true, channel: m.channel, ts: m.ts };
      }
      case 'chat.postEphemeral': {
        const channel = str('channel') ?? '';
        const ts = this.nextTs();
        this.messages.push({
          channel,
          ts,
          text: str('text') ?? '',
          blocks: blocks(),
          user: this.botUserId,
          edits: 0,
          ephemeralTo: str('user'),
        });
        return { ok: true, message_ts: ts };
      }
      case 'chat.getPermalink':
        return {
          ok: true,
          channel: str('channel'),
          permalink: `${this.url}/archives/${str('channel')}/p${(str('message_ts') ?? '').replace('.', '')}`,
        };
      case 'views.open': {
        const view: unknown = typeof a.view === 'string' ? JSON.parse(a.view) : a.view;
        if (typeof view === 'object' && view !== null)
          this.onViewOpen?.(str('trigger_id') ?? '', view as Record<string, unknown>);
        return {
          ok: true,
          view: { id: `V${this.nextTs().replace('.', '')}`, ...(typeof view === 'object' ? view : {}) },
        };
      }
      case 'users.info': {
        const u = this.users.find((x) => x.id === str('user'));
        if (!u) return { ok: false, error: 'user_not_found' };
        return {
          ok: true,
          user: { id: u.id, name: u.name, real_name: u.name, profile: { display_name: u.name } },
        };
      }
      case 'usergroups.list':
        return {
          ok: true,
          usergroups: this.groups.map((g) => ({ id: g.id, handle: g.handle, name: g.handle })),
        };
      case 'usergroups.users.list': {
        const g = this.groups.find((x) => x.id === str('usergroup'));
        return g ? { ok: true, users: g.users } : { ok: false, error: 'no_such_subteam' };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

function parseArgs(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (raw === '') return {};
  if (contentType?.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(raw));
}
