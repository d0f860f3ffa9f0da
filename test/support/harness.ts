import { rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { readConfig } from '../../src/config/readConfig.js';
import { type Logger, silentLogger } from '../../src/lib/logger.js';
import { type Capstan, startCapstan } from '../../src/main.js';
import type { Sleep } from '../../src/lib/sleep.js';
import type { Clock } from '../../src/ports/clock.js';
import { type EnvelopeType, SlackStandIn, type SlackStandInOptions } from '../../sandbox/slackApi.js';
import { scratchDir } from './scratch.js';
import { SIGNING_SECRET, slackHeaders } from './signing.js';

export interface Harness {
  readonly capstan: Capstan;
  readonly slack: SlackStandIn;
  readonly base: string;
  readonly dbPath: string;
  /** POSTs a signed /deploy command and returns the HTTP response (in Socket Mode: the acknowledgement). */
  command(
    text: string,
    opts?: { user?: string; channel?: string },
  ): Promise<{ status: number; body: string; responseUrl: string }>;
  /** POSTs a signed interactivity payload. */
  action(payload: Record<string, unknown>): Promise<{ status: number; body: string }>;
  /** Submits a reason modal (Reject, Keep) exactly as Slack sends it: signed, the submitting user in body.user. */
  submitReason(
    view: { callback_id: string; private_metadata: string },
    user: string,
    reason: string,
  ): Promise<{ status: number; body: string }>;
  /** Clicks a button on a message exactly as Slack sends it: signed, with the clicking user in body.user. */
  click(c: {
    actionId: string;
    value: string;
    user: string;
    message: { channel: string; ts: string };
  }): Promise<{ status: number; responseUrl: string }>;
  /** POSTs a signed Events API envelope. */
  event(event: Record<string, unknown>): Promise<{ status: number; body: string }>;
  post(
    path: string,
    body: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; body: string }>;
  restart(): Promise<Harness>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  readonly yaml: string;
  readonly slack?: SlackStandInOptions;
  readonly logger?: Logger;
  readonly dbPath?: string;
  readonly standIn?: SlackStandIn;
  /** With SLACK_APP_TOKEN set, Capstan runs in Socket Mode and the helpers deliver over the stand-in's socket. */
  readonly env?: Record<string, string>;
  readonly fetchCert?: (url: string) => Promise<string>;
  /** Whether stop() also stops the stand-in (true unless the caller passed its own). */
  readonly ownsStandIn?: boolean;
  /** Capstan's clock; the fakes of AWS in the same test read it too (the system clock by default). */
  readonly clock?: Clock;
  /** Socket Mode's ping timeout, which is also the SDK client's wait before it reconnects (5 s by default). */
  readonly socketPingTimeoutMs?: number;
  /** The sleep every wait of Capstan goes through (the clock's own, for a SkipClock); a real timer by default. */
  readonly sleep?: Sleep;
}

let responseSeq = 0;

/** A port free right now: in Socket Mode Capstan reports PORT as given, so 0 would not say where it listens. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `scratch`: the folder of the ledger a restart carries on with, removed by the last stop(). */
export async function startHarness(opts: HarnessOptions, scratch?: string): Promise<Harness> {
  const slack = opts.standIn ?? new SlackStandIn(opts.slack);
  if (!opts.standIn) await slack.start();
  const dir = opts.dbPath ? scratch : scratchDir('capstan-test-');
  const dbPath = opts.dbPath ?? join(dir!, 'capstan.db');
  const yaml = opts.yaml.replace('__DB__', dbPath);
  const socketMode = opts.env?.SLACK_APP_TOKEN !== undefined;
  const port = opts.env?.PORT ?? (socketMode ? String(await freePort()) : '0');
  const result = readConfig(
    {
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: port,
      CAPSTAN_CONFIG: 'capstan.yml',
      ...opts.env,
    },
    () => yaml,
  );
  if (!result.ok) throw new Error(`test config is invalid:\n${result.problems.join('\n')}`);
  const capstan = await startCapstan({
    config: result.config,
    logger: opts.logger ?? silentLogger,
    host: '127.0.0.1',
    fetchCert: opts.fetchCert,
    clock: opts.clock,
    // Slack pacing and change-set polling at test speed: the suite waits on conditions, not on time.
    timing: {
      slackPostIntervalMs: 20,
      slackUpdateIntervalMs: 20,
      changeSetPollMs: 20,
      expiryCheckMs: 50,
      ...(opts.sleep ? { sleep: opts.sleep } : {}),
      ...(opts.socketPingTimeoutMs !== undefined ? { socketPingTimeoutMs: opts.socketPingTimeoutMs } : {}),
    },
  });
  const base = `http://127.0.0.1:${capstan.port}`;

  const post = async (path: string, body: string, headers: Record<string, string>) => {
    const r = await fetch(`${base}${path}`, { method: 'POST', body, headers });
    return { status: r.status, body: await r.text() };
  };
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  /** The same payloads as Slack sends them: signed over HTTP, or as envelopes in Socket Mode. */
  const deliver = async (
    type: EnvelopeType,
    payload: Record<string, unknown>,
  ): Promise<{ status: number; body: string }> => {
    if (socketMode) {
      const ack = await slack.socket.send(type, payload);
      return { status: 200, body: ack.payload ? JSON.stringify(ack.payload) : '' };
    }
    if (type === 'events_api') {
      const body = JSON.stringify(payload);
      return post('/slack/events', body, { 'content-type': 'application/json', ...slackHeaders(body) });
    }
    const body = form(
      type === 'slash_commands' ? (payload as Record<string, string>) : { payload: JSON.stringify(payload) },
    );
    return post('/slack/events', body, {
      'content-type': 'application/x-www-form-urlencoded',
      ...slackHeaders(body),
    });
  };

  const h: Harness = {
    capstan,
    slack,
    base,
    dbPath,
    async command(text, o = {}) {
      responseSeq += 1;
      const responseUrl = slack.responseUrl(`cmd-${responseSeq}`);
      const r = await deliver('slash_commands', {
        token: 'deprecated',
        team_id: 'T0SANDBOX',
        team_domain: 'sandbox',
        channel_id: o.channel ?? 'C0DEV',
        channel_name: 'deploys',
        user_id: o.user ?? 'U0ALICE',
        user_name: 'alice',
        command: '/deploy',
        text,
        response_url: responseUrl,
        trigger_id: `trigger-${responseSeq}`,
        api_app_id: 'A0CAPSTAN',
      });
      return { ...r, responseUrl };
    },
    async action(payload) {
      return deliver('interactive', payload);
    },
    async submitReason(view, user, reason) {
      return h.action({
        type: 'view_submission',
        team: { id: 'T0SANDBOX', domain: 'sandbox' },
        user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: 'T0SANDBOX' },
        api_app_id: 'A0CAPSTAN',
        token: 'deprecated',
        trigger_id: 't-modal',
        view: {
          id: 'V1',
          type: 'modal',
          callback_id: view.callback_id,
          private_metadata: view.private_metadata,
          state: { values: { reason: { reason: { type: 'plain_text_input', value: reason } } } },
          hash: 'h',
        },
      });
    },
    async click({ actionId, value, user, message }) {
      responseSeq += 1;
      const responseUrl = slack.responseUrl(`click-${responseSeq}`);
      const r = await h.action({
        type: 'block_actions',
        user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: 'T0SANDBOX' },
        api_app_id: 'A0CAPSTAN',
        token: 'deprecated',
        container: {
          type: 'message',
          message_ts: message.ts,
          channel_id: message.channel,
          is_ephemeral: false,
        },
        trigger_id: `trigger-click-${responseSeq}`,
        team: { id: 'T0SANDBOX', domain: 'sandbox' },
        channel: { id: message.channel, name: message.channel.toLowerCase() },
        response_url: responseUrl,
        actions: [
          {
            type: 'button',
            action_id: actionId,
            block_id: 'b',
            value,
            text: { type: 'plain_text', text: actionId },
            action_ts: `${Date.now() / 1000}`,
          },
        ],
      });
      return { status: r.status, responseUrl };
    },
    async event(event) {
      return deliver('events_api', {
        token: 'deprecated',
        team_id: 'T0SANDBOX',
        api_app_id: 'A0CAPSTAN',
        type: 'event_callback',
        event_id: `Ev${Date.now()}${responseSeq++}`,
        event_time: Math.floor(Date.now() / 1000),
        event,
      });
    },
    post,
    async restart() {
      await capstan.stop();
      return startHarness(
        { ...opts, standIn: slack, dbPath, ownsStandIn: opts.ownsStandIn ?? !opts.standIn },
        dir,
      );
    },
    async stop() {
      await capstan.stop();
      if (opts.ownsStandIn ?? !opts.standIn) await slack.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** Waits until the response_url of a command received a message. */
export function responseTo(slack: SlackStandIn, responseUrl: string, timeoutMs?: number) {
  const path = new URL(responseUrl).pathname;
  return slack.waitFor(() => slack.responses.find((r) => r.url === path)?.body, timeoutMs);
}
