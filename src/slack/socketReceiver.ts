import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { App, CustomRoute, Logger as BoltLogger, Receiver } from '@slack/bolt';
import { SocketModeReceiver } from '@slack/bolt';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { guardEnvelopes } from './socketEnvelopes.js';

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
