import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { asString } from './http.js';
import type { EnvelopeType, SocketAck, SocketEnvelope } from './types.js';

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
