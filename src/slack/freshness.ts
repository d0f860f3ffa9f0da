import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTPModuleFunctions, HTTPReceiver, type HTTPReceiverOptions } from '@slack/bolt';
import type { Logger } from '../lib/logger.js';

/** Slack's replay window (docs: reject when |now - ts| > 5 min). Bolt only enforces the past side. */
export const SLACK_MAX_SKEW_SECONDS = 300;

export type TimestampJudgement =
  { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly skewSeconds?: number };

/**
 * Judges X-Slack-Request-Timestamp against `nowMs`, in both directions of time. An absent header
 * is left to Bolt, which refuses it unless the request is an unsigned `ssl_check`.
 */
export function judgeSlackTimestamp(
  header: string | string[] | undefined,
  nowMs: number,
): TimestampJudgement {
  if (header === undefined) return { ok: true };
  if (typeof header !== 'string' || !/^\d{1,12}$/.test(header))
    return { ok: false, reason: 'x-slack-request-timestamp is not a Unix time' };
  const skewSeconds = Number(header) - Math.floor(nowMs / 1000);
  if (skewSeconds > SLACK_MAX_SKEW_SECONDS)
    return { ok: false, reason: 'x-slack-request-timestamp is in the future', skewSeconds };
  if (skewSeconds < -SLACK_MAX_SKEW_SECONDS)
    return { ok: false, reason: 'x-slack-request-timestamp is too old', skewSeconds };
  return { ok: true };
}

export interface FreshReceiverOptions extends Omit<HTTPReceiverOptions, 'signingSecret'> {
  readonly signingSecret: string | undefined;
  /** Capstan's own logger, for the refusal line. */
  readonly log: Logger;
  /** Milliseconds since the epoch; tests pass their own clock. */
  readonly now?: (() => number) | undefined;
}

/**
 * Bolt's HTTPReceiver, with requests to the Slack endpoints refused (401, no body, nothing read)
 * when their timestamp is outside the window in either direction; Bolt then verifies the
 * signature as before. Socket Mode does not use this: its messages are not signed.
 */
export class FreshHttpReceiver extends HTTPReceiver {
  constructor(options: FreshReceiverOptions) {
    const { log, now = Date.now, signingSecret, ...bolt } = options;
    super({ ...bolt, signingSecret: signingSecret ?? '' });
    const endpoints = new Set(bolt.endpoints === undefined ? ['/slack/events'] : [bolt.endpoints].flat());
    const boltListener = this.requestListener;
    // HTTPReceiver's server hands every request to `requestListener`: the check stands in front of it.
    this.requestListener = (req: IncomingMessage, res: ServerResponse) => {
      if (req.method === 'POST' && endpoints.has(new URL(req.url ?? '/', 'http://localhost').pathname)) {
        const verdict = judgeSlackTimestamp(req.headers['x-slack-request-timestamp'], now());
        if (!verdict.ok) {
          log.warn('Slack request refused', {
            status: 401,
            reason: verdict.reason,
            ...(verdict.skewSeconds === undefined ? {} : { skewSeconds: verdict.skewSeconds }),
          });
          res.writeHead(401);
          res.end();
          return;
        }
        const limit = typeof bolt.bodyLimit === 'number' ? bolt.bodyLimit : undefined;
        void readable(req, limit).then((body) => {
          if (body.ok) return boltListener(body.req, res);
          log.warn('Slack request refused', { status: body.status, reason: body.reason });
          res.writeHead(body.status);
          res.end();
        });
        return;
      }
      boltListener(req, res);
    };
  }
}

type Readable =
  | { readonly ok: true; readonly req: IncomingMessage }
  | { readonly ok: false; readonly status: number; readonly reason: string };

/**
 * Reads the body ahead of Bolt, which then uses it as read. Bolt's own request handler reads
 * `body.ssl_check` of whatever the body parses to, outside any try: a body of `null` (or
 * `payload=null`) became an unhandled rejection. Such a body is refused with a 400 here; any
 * other body, readable or not, goes on to Bolt, which verifies the signature before acting.
 */
async function readable(req: IncomingMessage, limit: number | undefined): Promise<Readable> {
  let buffered;
  try {
    buffered = await HTTPModuleFunctions.bufferIncomingMessage(
      req,
      limit ?? HTTPModuleFunctions.defaultBodyLimit,
    );
  } catch (e) {
    const tooLarge =
      HTTPModuleFunctions.isRawBodyError(e) && (e.statusCode === 413 || e.type === 'entity.too.large');
    return tooLarge
      ? { ok: false, status: 413, reason: 'body too large' }
      : { ok: false, status: 400, reason: 'body could not be read' };
  }
  let body: unknown;
  try {
    body = HTTPModuleFunctions.parseHTTPRequestBody(buffered);
  } catch {
    return { ok: true, req: buffered };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { ok: false, status: 400, reason: 'body is not an object' };
  return { ok: true, req: buffered };
}
