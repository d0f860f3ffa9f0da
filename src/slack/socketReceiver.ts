import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { App, CustomRoute, Logger as BoltLogger, Receiver } from '@slack/bolt';
import { SocketModeReceiver } from '@slack/bolt';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';

export interface SocketReceiverOptions {
  readonly appToken: string;
  readonly apiUrl?: string | undefined;
  /** How long a ping may go unanswered, and how long the client waits before it reconnects (the SDK's default when absent). */
  readonly pingTimeoutMs?: number | undefined;
  /** The side listener (health, metrics, SNS): Socket Mode needs no HTTP endpoint for Slack. */
  readonly port: number;
  readonly host?: string | undefined;
  readonly routes: readonly CustomRoute[];
  readonly boltLogger: BoltLogger;
  readonly logger: Logger;
}

const ENVELOPES = new Set(['events_api', 'slash_commands', 'interactive']);
const CONTROL = new Set(['hello', 'disconnect']);
/** Envelope ids remembered to drop a delivery Slack sends again on this connection. */
const REMEMBERED = 2000;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

type WsListener = (data: unknown, isBinary: boolean) => unknown;

/**
 * Stands in front of the Socket Mode client's message handler, which trusts what arrives: an
 * `events_api` envelope without an `event` made it throw inside an event emitter, an unhandled
 * rejection that stopped the process. Here a message that is not JSON, not an object, of a type
 * the client does not know, or without the payload its type needs, is logged and dropped, and
 * acknowledged when it has an envelope_id; an envelope id seen before is acknowledged again and
 * dropped. The client's own handler then runs on what is left, and nothing it throws escapes.
 */
export function guardEnvelopes(client: SocketModeReceiver['client'], logger: Logger): void {
  const log = logger.child({ component: 'socket' });
  const originals = client.listeners('ws_message') as WsListener[];
  client.removeAllListeners('ws_message');
  const seen = new Set<string>();
  // The client's own acknowledgement (what Bolt's ack() calls), typed private in the SDK.
  const sender = client as unknown as { send(envelopeId: string): Promise<void> };
  const ack = (envelopeId: string) =>
    sender
      .send(envelopeId)
      .catch((e: unknown) => log.warn('could not acknowledge an envelope', { error: errorMessage(e) }));
  const pass = (data: unknown, isBinary: boolean) => {
    for (const fn of originals) {
      try {
        void Promise.resolve(fn(data, isBinary)).catch((e: unknown) =>
          log.error('the Socket Mode client failed on a message', { error: errorMessage(e) }),
        );
      } catch (e) {
        log.error('the Socket Mode client failed on a message', { error: errorMessage(e) });
      }
    }
  };

  client.on('ws_message', (data: unknown, isBinary: boolean) => {
    if (isBinary || (typeof data !== 'string' && !(data instanceof ArrayBuffer))) {
      log.warn('Socket Mode message dropped', { reason: 'not text' });
      return;
    }
    const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      log.warn('Socket Mode message dropped', { reason: 'not JSON', bytes: text.length });
      return;
    }
    if (!isRecord(message)) {
      log.warn('Socket Mode message dropped', { reason: 'not an object' });
      return;
    }
    const type = typeof message.type === 'string' ? message.type : '';
    if (CONTROL.has(type)) return pass(text, false);
    const envelopeId =
      typeof message.envelope_id === 'string' && message.envelope_id !== '' ? message.envelope_id : undefined;
    const problem = envelopeProblem(type, message);
    if (problem !== undefined || envelopeId === undefined) {
      log.warn('Socket Mode envelope dropped', {
        type: type.slice(0, 40),
        reason: problem ?? 'no envelope_id',
      });
      if (envelopeId !== undefined) void ack(envelopeId);
      return;
    }
    if (seen.has(envelopeId)) {
      log.info('Socket Mode envelope seen before; acknowledged, not acted on again', {
        type,
        envelopeId,
        retryAttempt: message.retry_attempt,
        retryReason: message.retry_reason,
      });
      void ack(envelopeId);
      return;
    }
    seen.add(envelopeId);
    if (seen.size > REMEMBERED) seen.delete(seen.values().next().value!);
    pass(text, false);
  });
}

function envelopeProblem(type: string, m: Record<string, unknown>): string | undefined {
  if (!ENVELOPES.has(type)) return 'unknown envelope type';
  if (!isRecord(m.payload)) return 'payload is not an object';
  if (type === 'events_api') {
    const event = m.payload.event;
    if (!isRecord(event) || typeof event.type !== 'string' || event.type === '')
      return 'events_api payload has no event';
  }
  return undefined;
}

/** A route's path, where `:name` stands for one non-empty segment (`/charts/:file`), as in Bolt's HTTP receiver. */
function pathMatches(pattern: string, path: string): boolean {
  const want = pattern.split('/');
  const got = path.split('/');
  return (
    want.length === got.length && want.every((w, i) => (w.startsWith(':') ? got[i] !== '' : w === got[i]))
  );
}

/** The side listener's requests: the custom routes by path and method, 404 for anything else. */
function serveRoutes(routes: readonly CustomRoute[], log: Logger) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const method = (req.method ?? 'GET').toUpperCase();
    const route = routes.find(
      (r) => pathMatches(r.path, path) && [r.method].flat().some((m) => m.toUpperCase() === method),
    );
    if (!route) {
      res.writeHead(404);
      res.end();
      return;
    }
    try {
      route.handler(Object.assign(req, { params: {} }), res);
    } catch (e) {
      log.error('a side listener route failed', { path, error: errorMessage(e) });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  };
}

/**
 * Socket Mode for Capstan: Bolt's receiver for the socket, with its envelopes guarded, and a side
 * HTTP listener for health, metrics and SNS bound to HOST and PORT. start() resolves with that
 * listener, so the port it reports is the one it got (PORT=0 included).
 */
export class CapstanSocketReceiver implements Receiver {
  private readonly inner: SocketModeReceiver;
  private readonly side: Server;

  constructor(private readonly o: SocketReceiverOptions) {
    this.inner = new SocketModeReceiver({
      appToken: o.appToken,
      logger: o.boltLogger,
      ...(o.pingTimeoutMs !== undefined ? { clientPingTimeout: o.pingTimeoutMs } : {}),
      installerOptions: o.apiUrl ? { clientOptions: { slackApiUrl: o.apiUrl } } : {},
    });
    guardEnvelopes(this.inner.client, o.logger);
    this.side = createServer(serveRoutes(o.routes, o.logger));
  }

  init(app: App): void {
    this.inner.init(app);
  }

  async start(): Promise<Server> {
    await new Promise<void>((resolve, reject) => {
      this.side.once('error', reject);
      const listening = () => {
        this.side.off('error', reject);
        resolve();
      };
      if (this.o.host === undefined) this.side.listen(this.o.port, listening);
      else this.side.listen(this.o.port, this.o.host, listening);
    });
    this.side.on('error', (e) => this.o.logger.error('side listener failed', { error: errorMessage(e) }));
    try {
      await this.inner.start();
    } catch (e) {
      await this.closeSide();
      throw e;
    }
    return this.side;
  }

  async stop(): Promise<void> {
    await this.inner.stop();
    await this.closeSide();
  }

  private closeSide(): Promise<void> {
    if (!this.side.listening) return Promise.resolve();
    return new Promise((resolve) => {
      this.side.close(() => resolve());
      this.side.closeAllConnections();
    });
  }
}
