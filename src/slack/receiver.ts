import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Logger } from '../lib/logger.js';
import type { toBoltLogger } from './boltLogger.js';
import { notFoundOnMalformedPath } from './chartRoute.js';
import { FreshHttpReceiver } from './freshness.js';
import { CapstanSocketReceiver } from './socketReceiver.js';

/** What the receiver is built from: the part of the Slack app's options about listening (SlackAppOptions extends it). */
export interface ReceiverOptions {
  readonly signingSecret?: string | undefined;
  readonly appToken?: string | undefined;
  /** Socket Mode: how long a ping may go unanswered, and the wait before a reconnect (the SDK's 5 s by default). */
  readonly socketPingTimeoutMs?: number | undefined;
  readonly apiUrl?: string | undefined;
  readonly port: number;
  /** The address the HTTP listener binds (in Socket Mode, the side listener's); all by default. */
  readonly host?: string | undefined;
  readonly logger: Logger;
  /** Extra HTTP routes (the SNS endpoint); served beside /slack/events. */
  readonly routes?: readonly CustomRoute[] | undefined;
  readonly isReady: () => boolean;
  /** The clock Slack request timestamps are judged by (ms since the epoch); Date.now by default. */
  readonly now?: (() => number) | undefined;
}

function healthz(isReady: () => boolean): CustomRoute {
  return {
    path: '/healthz',
    method: ['GET'],
    handler: (_req: IncomingMessage, res: ServerResponse) => {
      const ready = isReady();
      res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: ready }));
    },
  };
}

/** Socket Mode when there is an app token, HTTP otherwise; both serve /healthz and the extra routes. */
export function newReceiver(
  opts: ReceiverOptions,
  boltLogger: ReturnType<typeof toBoltLogger>,
): CapstanSocketReceiver | FreshHttpReceiver {
  const logger = opts.logger;
  const customRoutes = [healthz(opts.isReady), ...(opts.routes ?? [])];
  return opts.appToken !== undefined
    ? new CapstanSocketReceiver({
        appToken: opts.appToken,
        apiUrl: opts.apiUrl,
        pingTimeoutMs: opts.socketPingTimeoutMs,
        port: opts.port,
        host: opts.host,
        routes: customRoutes,
        boltLogger,
        logger,
      })
    : new FreshHttpReceiver({
        signingSecret: opts.signingSecret,
        port: opts.port,
        customRoutes,
        dispatchErrorHandler: notFoundOnMalformedPath,
        logger: boltLogger,
        log: logger,
        now: opts.now,
      });
}
