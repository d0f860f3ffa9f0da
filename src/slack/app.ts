import type { App } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import { createSlackDirectory } from '../adapters/slack/chat.js';
import { namesOf, parseCommand } from '../commands/parse.js';
import { newId } from '../lib/ids.js';
import type { Directory } from '../ports/chat.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { HomeChart } from '../views/homeChart.js';
import type { SlackMessage } from '../views/message.js';
import { helpMessage, invalidMessage, notice } from '../views/help.js';
import { toBoltLogger } from './boltLogger.js';
import { type ClaimDelivery, GuardedApp, isSeenBefore } from './guardedApp.js';
import { AckFirst } from '../lib/ackFirst.js';
import { type ReceiverOptions, newReceiver } from './receiver.js';
import { type DispatchDeps, dispatch, statusReply } from './dispatch.js';
import { failureMessage } from './respond.js';
import { publishHome } from './home.js';

/** The Slack app: how it listens (ReceiverOptions), and what it answers with. */
export interface SlackAppOptions extends ReceiverOptions {
  readonly botToken: string;
  /** What the app's calls to Slack go out through (answers on response_url, the Web API); globalThis.fetch by default. */
  readonly fetch?: typeof globalThis.fetch | undefined;
  /** Claims a Slack delivery once across replicas, so a retry is acknowledged but not acted on again. */
  readonly claimDelivery?: ClaimDelivery | undefined;
  readonly dispatch: DispatchDeps;
  /** Registers block_actions and view handlers on the app (releases, approvals). */
  readonly interactions?: ((app: App) => void) | undefined;
  /** The Home tab: group membership (a directory over this app's client by default) and the time. */
  readonly home?:
    | {
        readonly directory?: Directory | undefined;
        readonly clock?: Clock | undefined;
        /** The charts of the viewer's apps (homeCharts.ts); none by default. */
        readonly charts?: ((userId: string) => Promise<readonly HomeChart[]>) | undefined;
      }
    | undefined;
}

export function createSlackApp(opts: SlackAppOptions): App {
  const logger = opts.logger;
  const app = newGuardedApp(opts);
  const names = namesOf(opts.dispatch.catalog);
  const appNames = opts.dispatch.catalog.apps.map((a) => a.name);
  // The same words every time (the catalog is fixed while the app runs): worded once, not per command.
  const help = helpMessage(appNames);

  registerDeployCommand(app, opts, names, help);
  registerMentions(app, opts, names, help);
  registerHome(app, opts);

  opts.interactions?.(app);

  app.error(async (error) => {
    // A repeated delivery stops its listener at the ack; GuardedApp says so once.
    if (isSeenBefore(error)) throw error;
    logger.error('unhandled error in a Slack listener', { error: error.message, code: error.code });
  });
  return app;
}

/** Matches the calls that open a modal: they carry a trigger_id, which Slack honours for 3 s only. */
const OPENS_A_MODAL = /\/views\.(open|push)$/;

/**
 * What the app sends to Slack waits its turn behind the acknowledgements of a burst, except a modal:
 * its trigger_id expires 3 s after the click, so it goes at once.
 */
function gatedFetch(ackFirst: AckFirst, fetch: typeof globalThis.fetch): typeof globalThis.fetch {
  const gated = ackFirst.gate((url: string | URL, init?: RequestInit) => fetch(url, init));
  return ((url: string | URL, init?: RequestInit) =>
    OPENS_A_MODAL.test(String(url)) ? fetch(url, init) : gated(url, init)) as typeof globalThis.fetch;
}

/** The app with its receiver (Socket Mode with an app token, HTTP otherwise) and its Web API client. */
function newGuardedApp(opts: SlackAppOptions): GuardedApp {
  const logger = opts.logger;
  const boltLogger = toBoltLogger(logger);
  // Every delivery is counted in from its arrival to its acknowledgement; work after an ack waits for the others' acks.
  const ackFirst = new AckFirst();
  return new GuardedApp(
    {
      token: opts.botToken,
      receiver: newReceiver(opts, boltLogger),
      logger: boltLogger,
      // Capstan keeps no conversation state in Bolt; skipping its store saves work on every request.
      convoStore: false,
      clientOptions: {
        ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl } : {}),
        // What this app sends to Slack (answers on response_url, Web API calls) waits behind acknowledgements.
        fetch: gatedFetch(ackFirst, opts.fetch ?? globalThis.fetch),
      },
    },
    { logger, claim: opts.claimDelivery, ackFirst },
  );
}

/** `/deploy`: help and bad input are answered in the ack; everything else after it. */
function registerDeployCommand(
  app: App,
  opts: SlackAppOptions,
  names: ReturnType<typeof namesOf>,
  help: SlackMessage,
): void {
  app.command('/deploy', async ({ command, ack, respond }) => {
    const askedAt = performance.now();
    const parsed = parseCommand(command.text, names);
    if (parsed.kind === 'help') return ack({ response_type: 'ephemeral', ...help });
    if (parsed.kind === 'invalid')
      return ack({ response_type: 'ephemeral', ...invalidMessage(parsed.message, parsed.usage) });
    if (!command.channel_id || !command.response_url)
      return ack({ response_type: 'ephemeral', ...notice('Slack sent this command without its channel.') });
    // Acknowledge before any AWS call: Slack gives up after 3 s.
    await ack();
    const ref = newId('req');
    const log = opts.logger.child({ ref, user: command.user_id, command: parsed.command.kind });
    try {
      const reply = await dispatch(opts.dispatch, parsed.command, {
        userId: command.user_id,
        channelId: command.channel_id,
        askedAt,
      });
      if (reply) await respond({ response_type: reply.visibility, ...toRespond(reply.message) });
      await reply?.after?.();
    } catch (e) {
      await respond({ response_type: 'ephemeral', ...toRespond(failureMessage(e, log, ref)) }).catch(
        (err: unknown) => log.warn('could not answer', { error: String(err) }),
      );
    }
  });
}

/** A mention answers `status` (and help) in the thread; everything else points to `/deploy`. */
function registerMentions(
  app: App,
  opts: SlackAppOptions,
  names: ReturnType<typeof namesOf>,
  help: SlackMessage,
): void {
  app.event('app_mention', async ({ event, client }) => {
    const askedAt = performance.now();
    const text = event.text.replace(/<@[A-Z0-9]+>/g, ' ');
    const parsed = parseCommand(text, names);
    const thread = event.thread_ts ?? event.ts;
    const ref = newId('req');
    const log = opts.logger.child({ ref, user: event.user, mention: true });
    let message;
    try {
      if (parsed.kind === 'command' && parsed.command.kind === 'status') {
        message = await statusReply(opts.dispatch, parsed.command.app, parsed.command.env, askedAt);
      } else if (parsed.kind === 'invalid') {
        message = invalidMessage(parsed.message, parsed.usage);
      } else if (parsed.kind === 'help') {
        message = help;
      } else {
        message = notice('Mention me with `status [<app>] [<env>]`; everything else goes through `/deploy`.');
      }
    } catch (e) {
      message = failureMessage(e, log, ref);
    }
    await client.chat.postMessage({ channel: event.channel, thread_ts: thread, ...toRespond(message) });
  });
}

/** The Home tab, refreshed each time someone opens it; the Messages tab sends the same event. */
function registerHome(app: App, opts: SlackAppOptions): void {
  const homeDeps = {
    catalog: opts.dispatch.catalog,
    status: opts.dispatch.status,
    directory: opts.home?.directory ?? createSlackDirectory(app.client),
    clock: opts.home?.clock ?? systemClock,
  };
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await publishHome({ home: homeDeps, charts: opts.home?.charts, logger: opts.logger }, client, event.user);
  });
}

/** Block Kit from views, as Bolt takes it (a mutable array). */
export function toRespond(m: SlackMessage): { text: string; blocks?: KnownBlock[] } {
  return m.blocks ? { text: m.text, blocks: [...m.blocks] } : { text: m.text };
}
