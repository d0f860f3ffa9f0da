import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { SlackFiles, type StoredFile } from './slackFiles.js';

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
  /** A thread reply also shown in the channel (`reply_broadcast`). */
  readonly broadcast?: boolean | undefined;
  text: string;
  blocks: unknown[];
  readonly user: string;
  edits: number;
  readonly ephemeralTo?: string | undefined;
  /** Files shared with the message (files.completeUploadExternal). */
  readonly files?: readonly StoredFile[] | undefined;
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
  /** The app-level token apps.connections.open accepts; any `xapp-` token when unset. */
  readonly appToken?: string;
  /** How long an envelope may wait for its acknowledgement (Slack gives up after 3 s). */
  readonly ackTimeoutMs?: number;
}

/**
 * How a call fails: Slack's `{ ok: false, error }`, an HTTP 500, a 429 with Retry-After (seconds),
 * or an answer that is not what the Web API promises (an HTML error page, an empty body, JSON
 * missing fields), sent as given.
 */
export type SlackFault =
  | string
  | { readonly status: 500 }
  | { readonly status: 429; readonly retryAfter: number }
  | { readonly status: number; readonly raw: string; readonly contentType?: string };

export class SlackStandIn {
  readonly calls: RecordedCall[] = [];
  readonly messages: StoredMessage[] = [];
  readonly responses: { url: string; body: Record<string, unknown> }[] = [];
  /** The Home tab last published for each user (views.publish), by user id. */
  readonly homeViews = new Map<string, Record<string, unknown> & { id: string; hash: string }>();
  /** Methods that answer 429 with Retry-After once per entry. */
  readonly rateLimitOnce = new Map<string, number>();
  /** Methods that answer `{ ok: false, error }` once per entry. */
  readonly failOnce = new Map<string, string>();
  /** Channels archived: posts and edits there answer `is_archived`, as Slack does. */
  readonly archived = new Set<string>();
  /** Files uploaded through files.getUploadURLExternal and the upload URL. */
  readonly uploads = new SlackFiles();
  private readonly faults: {
    method: string;
    fault: SlackFault;
    left: number;
    when?: ((args: Record<string, unknown>) => boolean) | undefined;
  }[] = [];
  private server: Server | undefined;
  private seq = 0;
  private listeners = new Set<() => void>();
  readonly users: SlackUser[];
  readonly groups: { id: string; handle: string; users: string[] }[];
  readonly botUserId: string;
  /** Socket Mode: the WebSocket side of this stand-in (its URLs come from apps.connections.open). */
  readonly socket: SocketModeStandIn;
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
    this.socket = new SocketModeStandIn({
      url: () => this.url,
      appToken: opts.appToken,
      ackTimeoutMs: opts.ackTimeoutMs ?? 3000,
      notify: () => this.notify(),
    });
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.socket.upgrade(req, socket, head),
    );
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    const addr = this.server.address() as AddressInfo;
    this.url = `http://${host}:${addr.port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    // Upgraded sockets no longer belong to the HTTP server: close them first, or close() never returns.
    this.socket.close();
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

  /**
   * The next `count` calls of `method` (those whose arguments `when` accepts) fail with `fault`;
   * they are recorded as `<method>:error`, `<method>:500` or `<method>:429`.
   */
  failNext(
    method: string,
    fault: SlackFault,
    count = 1,
    when?: (args: Record<string, unknown>) => boolean,
  ): void {
    this.faults.push({ method, fault, left: count, when });
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

  /** Thread replies that were also shown in the channel. */
  broadcasts(channel: string): StoredMessage[] {
    return this.messages.filter((m) => m.channel === channel && m.threadTs !== undefined && m.broadcast);
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
    const bytes = Buffer.concat(chunks);
    const raw = bytes.toString('utf8');
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
    if (url.pathname.startsWith('/upload/')) {
      const status = await this.uploads.receive(
        url.pathname.slice('/upload/'.length),
        bytes,
        req.headers['content-type'],
      );
      this.calls.push({
        method: 'upload',
        args: { path: url.pathname, bytes: bytes.length },
        at: Date.now(),
      });
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status === 200 ? 'OK - uploaded' : 'not found');
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
    const f = this.faults.find((x) => x.method === method && x.left > 0 && (x.when?.(args) ?? true));
    if (f) {
      f.left -= 1;
      const { fault } = f;
      const suffix = typeof fault === 'string' ? 'error' : 'raw' in fault ? 'raw' : String(fault.status);
      this.calls.push({ method: `${method}:${suffix}`, args, at: Date.now() });
      setImmediate(() => this.notify());
      if (typeof fault === 'string') return send(200, { ok: false, error: fault });
      if ('raw' in fault) {
        res.writeHead(fault.status, { 'content-type': fault.contentType ?? 'text/html; charset=utf-8' });
        res.end(fault.raw);
        return;
      }
      if (fault.status === 429 && 'retryAfter' in fault)
        return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfter) });
      return send(500, { ok: false, error: 'internal_error' });
    }
    const failure = this.failOnce.get(method);
    if (failure !== undefined) {
      this.failOnce.delete(method);
      this.calls.push({ method: `${method}:error`, args, at: Date.now() });
      return send(200, { ok: false, error: failure });
    }
    this.calls.push({ method, args, at: Date.now() });
    try {
      const token = bearer(req.headers.authorization) ?? asString(args.token);
      // Slack answers this way when an app-level token is used for anything but opening a socket.
      if (method !== 'apps.connections.open' && token?.startsWith('xapp-'))
        return send(200, { ok: false, error: 'not_allowed_token_type' });
      if (method === 'apps.connections.open') return send(200, this.socket.openConnection(token));
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
        if (this.archived.has(channel)) return { ok: false, error: 'is_archived' };
        const ts = this.nextTs();
        const threadTs = str('thread_ts');
        this.messages.push({
          channel,
          ts,
          threadTs,
          // Form posts carry "true"; JSON posts carry true. Without a thread it means nothing.
          broadcast: threadTs !== undefined && (a.reply_broadcast === true || a.reply_broadcast === 'true'),
          text: str('text') ?? '',
          blocks: blocks(),
          user: this.botUserId,
          edits: 0,
        });
        return { ok: true, channel, ts, message: { ts, text: str('text') } };
      }
      case 'chat.update': {
        if (this.archived.has(str('channel') ?? '')) return { ok: false, error: 'is_archived' };
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
      case 'files.getUploadURLExternal':
        return this.uploads.uploadUrl(a, this.url);
      case 'files.completeUploadExternal':
        return this.uploads.complete(a, (channel, text, files) => {
          this.messages.push({
            channel,
            ts: this.nextTs(),
            text,
            blocks: [],
            user: this.botUserId,
            edits: 0,
            files,
          });
        });
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
      case 'views.publish': {
        const user = str('user_id');
        const view: unknown = typeof a.view === 'string' ? JSON.parse(a.view) : a.view;
        const v = typeof view === 'object' && view !== null ? (view as Record<string, unknown>) : {};
        const n = Array.isArray(v.blocks) ? v.blocks.length : 0;
        // Slack refuses a view that is not a Home tab or has more than 100 blocks.
        if (!user || v.type !== 'home' || n > 100) return { ok: false, error: 'invalid_arguments' };
        const current = this.homeViews.get(user);
        if (str('hash') !== undefined && current && str('hash') !== current.hash)
          return { ok: false, error: 'hash_conflict' };
        const stored = { ...v, id: current?.id ?? `V${this.nextTs().replace('.', '')}`, hash: this.nextTs() };
        this.homeViews.set(user, stored);
        return { ok: true, view: stored };
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

const asString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer (\S+)$/.exec(header ?? '');
  return m?.[1];
}

function parseArgs(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (raw === '') return {};
  if (contentType?.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(raw));
}

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

/** What Slack sends down the socket for each command, click or event. */
export interface SocketEnvelope {
  readonly envelope_id: string;
  readonly type: EnvelopeType;
  readonly payload: Record<string, unknown>;
  /** True when the acknowledgement may carry the answer (slash commands, view submissions, options). */
  readonly accepts_response_payload: boolean;
  readonly retry_attempt?: number;
  readonly retry_reason?: string;
}

export interface SocketAck {
  readonly envelopeId: string;
  /** The answer sent with the acknowledgement; absent for a plain one. */
  readonly payload?: Record<string, unknown> | undefined;
  /** Milliseconds from delivery to acknowledgement. */
  readonly ms: number;
}

interface Pending {
  readonly resolve: (ack: SocketAck) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Slack's Socket Mode, locally. apps.connections.open (app-level token only) hands out a one-time
 * ws:// URL; the socket greets with `hello`, carries envelopes to the app and its acknowledgements
 * back, matched by envelope_id. Pings from the client are answered with pongs, as Slack does.
 */
export class SocketModeStandIn {
  readonly delivered: SocketEnvelope[] = [];
  readonly acks: SocketAck[] = [];
  /** Connections that completed the handshake (each got a `hello`), counting reconnections. */
  hellos = 0;
  /** Pings received from clients: the SDK pings to check the link and drops it without pongs. */
  pingsReceived = 0;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly open: WebSocket[] = [];
  private readonly pending = new Map<string, Pending>();
  private readonly sentAt = new Map<string, number>();

  constructor(
    private readonly opts: {
      readonly url: () => string;
      readonly appToken: string | undefined;
      readonly ackTimeoutMs: number;
      readonly notify: () => void;
    },
  ) {}

  get connected(): boolean {
    return this.open.some((ws) => ws.readyState === WebSocket.OPEN);
  }

  /** Resolves once a client is connected and greeted. */
  async waitForConnection(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.connected) {
      if (Date.now() > deadline) throw new Error('no Socket Mode client connected in time');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** The `apps.connections.open` method. */
  openConnection(token: string | undefined): Record<string, unknown> {
    if (!token) return { ok: false, error: 'not_authed' };
    if (!token.startsWith('xapp-')) return { ok: false, error: 'not_allowed_token_type' };
    if (this.opts.appToken !== undefined && token !== this.opts.appToken)
      return { ok: false, error: 'invalid_auth' };
    const ticket = randomUUID();
    this.tickets.add(ticket);
    const wsUrl = this.opts.url().replace(/^http/, 'ws');
    return { ok: true, url: `${wsUrl}/link/?ticket=${ticket}&app_id=A0CAPSTAN` };
  }

  /** Takes an HTTP upgrade: only to /link with a ticket issued once by apps.connections.open. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (!/^\/link\/?$/.test(url.pathname) || !this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    this.open.push(ws);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) this.receive(rawText(data));
    });
    ws.on('ping', () => {
      this.pingsReceived += 1;
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      const i = this.open.indexOf(ws);
      if (i >= 0) this.open.splice(i, 1);
      this.opts.notify();
    });
    this.hellos += 1;
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.open.length,
        debug_info: { host: 'applink-sandbox', approximate_connection_time: 18060 },
        connection_info: { app_id: 'A0CAPSTAN' },
      }),
    );
    this.opts.notify();
  }

  /** Delivers one envelope and resolves with its acknowledgement; rejects if none comes in time. */
  send(
    type: EnvelopeType,
    payload: Record<string, unknown>,
    opts: { acceptsResponsePayload?: boolean; timeoutMs?: number } = {},
  ): Promise<SocketAck> {
    // Slack spreads envelopes over an app's connections; the newest one is as good as any.
    const ws = this.open.findLast((s) => s.readyState === WebSocket.OPEN);
    if (!ws) return Promise.reject(new Error('no Socket Mode connection: did the app open one?'));
    const envelope: SocketEnvelope = {
      envelope_id: randomUUID(),
      type,
      payload,
      accepts_response_payload: opts.acceptsResponsePayload ?? acceptsResponse(type, payload),
      ...(type === 'events_api' ? { retry_attempt: 0, retry_reason: '' } : {}),
    };
    const timeoutMs = opts.timeoutMs ?? this.opts.ackTimeoutMs;
    return new Promise<SocketAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelope.envelope_id);
        reject(
          new Error(`${type} envelope ${envelope.envelope_id} was not acknowledged within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.pending.set(envelope.envelope_id, { resolve, reject, timer });
      this.sentAt.set(envelope.envelope_id, Date.now());
      this.delivered.push(envelope);
      ws.send(JSON.stringify(envelope));
    });
  }

  /**
   * Sends an envelope again as Slack does when its acknowledgement came late: the same envelope_id
   * and payload, with `retry_attempt` and `retry_reason`. Resolves with the new acknowledgement.
   */
  redeliver(envelopeId: string, retryAttempt = 1, retryReason = 'timeout'): Promise<SocketAck> {
    const first = this.delivered.find((e) => e.envelope_id === envelopeId);
    if (!first) return Promise.reject(new Error(`no envelope ${envelopeId} was delivered`));
    const again: SocketEnvelope = { ...first, retry_attempt: retryAttempt, retry_reason: retryReason };
    return this.deliver(again, JSON.stringify(again), this.opts.ackTimeoutMs).then((ack) => {
      if (!ack) throw new Error(`envelope ${envelopeId} was not acknowledged again`);
      return ack;
    });
  }

  /**
   * Sends `text` down the socket as it is, for messages Slack should never send (truncated, wrong
   * types). When it names `envelopeId`, resolves with the acknowledgement, or undefined when none
   * came within `timeoutMs`.
   */
  sendRaw(
    text: string,
    opts: { envelopeId?: string; timeoutMs?: number } = {},
  ): Promise<SocketAck | undefined> {
    const timeoutMs = opts.timeoutMs ?? this.opts.ackTimeoutMs;
    if (opts.envelopeId === undefined) {
      const ws = this.open.findLast((s) => s.readyState === WebSocket.OPEN);
      if (!ws) return Promise.reject(new Error('no Socket Mode connection: did the app open one?'));
      ws.send(text);
      return Promise.resolve(undefined);
    }
    return this.deliver(undefined, text, timeoutMs, opts.envelopeId);
  }

  private deliver(
    envelope: SocketEnvelope | undefined,
    text: string,
    timeoutMs: number,
    id = envelope?.envelope_id ?? '',
  ): Promise<SocketAck | undefined> {
    const ws = this.open.findLast((s) => s.readyState === WebSocket.OPEN);
    if (!ws) return Promise.reject(new Error('no Socket Mode connection: did the app open one?'));
    return new Promise<SocketAck | undefined>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(undefined);
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.sentAt.set(id, Date.now());
      if (envelope) this.delivered.push(envelope);
      ws.send(text);
    });
  }

  private receive(text: string): void {
    let message: { envelope_id?: unknown; payload?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    const id = asString(message.envelope_id);
    if (id === undefined) return;
    const sentAt = this.sentAt.get(id);
    if (sentAt === undefined) return;
    const p = message.payload;
    const answer =
      typeof p === 'object' && p !== null && Object.keys(p).length > 0
        ? (p as Record<string, unknown>)
        : undefined;
    const pending = this.pending.get(id);
    const ack: SocketAck = { envelopeId: id, payload: answer, ms: Date.now() - sentAt };
    this.acks.push(ack);
    if (pending) {
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.resolve(ack);
    }
    this.opts.notify();
  }

  /** Asks every client to reconnect, as Slack does before recycling a connection. */
  disconnect(reason: 'warning' | 'refresh_requested' | 'link_disabled' = 'refresh_requested'): void {
    for (const ws of this.open)
      ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-sandbox' } }));
  }

  close(): void {
    for (const ws of [...this.open]) ws.terminate();
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error(`the stand-in stopped before envelope ${id} was acknowledged`));
    }
    this.pending.clear();
    this.tickets.clear();
  }
}

function acceptsResponse(type: EnvelopeType, payload: Record<string, unknown>): boolean {
  if (type === 'slash_commands') return true;
  return type === 'interactive' && ['view_submission', 'block_suggestion'].includes(String(payload.type));
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (data instanceof ArrayBuffer ? Buffer.from(data) : data).toString('utf8');
}
