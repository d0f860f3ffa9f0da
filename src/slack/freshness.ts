import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTPReceiver, type HTTPReceiverOptions } from '@slack/bolt';
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
      }
      boltListener(req, res);
    };
  }
}
