import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { SlackFiles, servedFile } from './slackFiles.js';
import { type PendingFault, takeFault } from './slack/faults.js';
import { type Send, asString, bearer, jsonSender, parseArgs } from './slack/http.js';
import { type MethodContext, callMethod } from './slack/methods.js';
import { SocketModeStandIn } from './slack/socketMode.js';
import { waitUntil } from './slack/wait.js';
import type {
  HomeView,
  RecordedCall,
  SlackFault,
  SlackGroup,
  SlackStandInOptions,
  SlackUser,
  StoredMessage,
} from './slack/types.js';

export type {
  RecordedCall,
  SlackFault,
  SlackStandInOptions,
  SlackUser,
  StoredMessage,
} from './slack/types.js';
export type { EnvelopeType, SocketAck, SocketEnvelope } from './slack/types.js';
export { SocketModeStandIn } from './slack/socketMode.js';

/**
 * A local stand-in for the Slack Web API (reached through SLACK_API_URL) and for response_url.
 * It keeps channels, threads and edits the way Slack does, and records every call so tests and
 * benchmarks can assert on them. It is never imported by production code. The Web API methods
 * are in slack/methods.ts, Socket Mode in slack/socketMode.ts.
 */
export class SlackStandIn {
  readonly calls: RecordedCall[] = [];
  readonly messages: StoredMessage[] = [];
  readonly responses: { url: string; body: Record<string, unknown> }[] = [];
  /** The Home tab last published for each user (views.publish), by user id. */
  readonly homeViews = new Map<string, HomeView>();
  /** Methods that answer 429 with Retry-After once per entry. */
  readonly rateLimitOnce = new Map<string, number>();
  /** Methods that answer `{ ok: false, error }` once per entry. */
  readonly failOnce = new Map<string, string>();
  /** Channels archived: posts and edits there answer `is_archived`, as Slack does. */
  readonly archived = new Set<string>();
  /** Files uploaded through files.getUploadURLExternal and the upload URL. */
  readonly uploads = new SlackFiles();
  private readonly faults: PendingFault[] = [];
  private server: Server | undefined;
  private seq = 0;
  private listeners = new Set<() => void>();
  readonly users: SlackUser[];
  readonly groups: SlackGroup[];
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
    const closed = new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
    // close() waits for every connection: a kept-alive one of Capstan's client would hold it for seconds.
    this.server?.closeAllConnections?.();
    await closed;
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  responseUrl(id: string): string {
    return `${this.url}/response/${id}`;
  }

  /** Resolves when `predicate` holds, checked after every call. */
  waitFor<T>(predicate: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
    return waitUntil(this.listeners, predicate, timeoutMs, () =>
      JSON.stringify(this.calls.slice(-5).map((c) => c.method)),
    );
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
    const send = jsonSender(res);
    if (this.extraRoutes && (await this.extraRoutes(req, res, url, raw))) return;
    if (url.pathname.startsWith('/response/')) return this.handleResponse(url, raw, send);
    if (url.pathname.startsWith('/upload/')) return this.handleUpload(url, bytes, req, res);
    if (req.method === 'GET' && url.pathname.startsWith('/files/')) return this.handleFile(url, res);
    if (!url.pathname.startsWith('/api/')) return send(404, { ok: false, error: 'unknown_path' });
    const method = url.pathname.slice('/api/'.length);
    const args = parseArgs(raw, req.headers['content-type']);
    if (this.answeredWithFault(method, args, res, send)) return;
    this.calls.push({ method, args, at: Date.now() });
    try {
      const token = bearer(req.headers.authorization) ?? asString(args.token);
      // Slack answers this way when an app-level token is used for anything but opening a socket.
      if (method !== 'apps.connections.open' && token?.startsWith('xapp-'))
        return send(200, { ok: false, error: 'not_allowed_token_type' });
      if (method === 'apps.connections.open') return send(200, this.socket.openConnection(token));
      send(200, callMethod(this.methodContext(), method, args));
    } finally {
      this.notify();
    }
  }

  /** A post to a response_url. */
  private handleResponse(url: URL, raw: string, send: Send): void {
    const body = JSON.parse(raw || '{}') as Record<string, unknown>;
    this.responses.push({ url: url.pathname, body });
    this.onResponse?.(url.pathname, body);
    this.calls.push({ method: 'response_url', args: body, at: Date.now() });
    send(200, { ok: true });
    this.notify();
  }

  /** A file's bytes, POSTed to the URL files.getUploadURLExternal handed out. */
  private async handleUpload(url: URL, bytes: Buffer, req: IncomingMessage, res: ServerResponse) {
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
  }

  /** The bytes of a shared file, at the address its message lists (SlackBridge's `url_private`). */
  private handleFile(url: URL, res: ServerResponse): void {
    const served = servedFile(this.uploads, url.pathname);
    if (!served) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('file_not_found');
      return;
    }
    res.writeHead(200, served.headers);
    res.end(served.bytes);
  }

  /** True when a rate limit or a fault set up for this call answered it (and recorded it). */
  private answeredWithFault(
    method: string,
    args: Record<string, unknown>,
    res: ServerResponse,
    send: Send,
  ): boolean {
    const answered = takeFault(
      { rateLimitOnce: this.rateLimitOnce, failOnce: this.failOnce, faults: this.faults, calls: this.calls },
      method,
      args,
      res,
      send,
    );
    if (answered === 'fault') setImmediate(() => this.notify());
    return answered !== undefined;
  }

  private methodContext(): MethodContext {
    return {
      messages: this.messages,
      homeViews: this.homeViews,
      archived: this.archived,
      uploads: this.uploads,
      users: this.users,
      groups: this.groups,
      botUserId: this.botUserId,
      url: this.url,
      nextTs: () => this.nextTs(),
      onViewOpen: this.onViewOpen,
    };
  }
}
