import type { Config } from '../config/readConfig.js';
import type { CapstanMetrics } from '../metrics/metrics.js';
import type { Logger } from '../lib/logger.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import { type SlackAppOptions, createSlackApp } from '../slack/app.js';
import { commandHandlers } from '../slack/handlers.js';
import { deliveryHandlers } from '../slack/deliveryHandlers.js';
import type { CommandHandlers } from '../slack/dispatch.js';
import { createResvgRenderer } from '../adapters/render/resvg.js';
import { registerInteractions } from '../slack/interactions.js';
import { homeChartParts } from '../slack/homeCharts.js';
import type { ClaimDelivery } from '../slack/guardedApp.js';
import type { StatusDeps } from '../usecases/status.js';
import type { UseCases } from './usecases.js';
import type { SlackOutput } from './slackOutput.js';

export interface SlackInputOptions {
  readonly config: Config;
  readonly host?: string | undefined;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly output: SlackOutput;
  readonly useCases: UseCases;
  readonly status: StatusDeps;
  readonly claimDelivery: ClaimDelivery;
  readonly isReady: () => boolean;
  /** Socket Mode's ping timeout and reconnect delay (Timing in main.ts). */
  readonly socketPingTimeoutMs?: number | undefined;
  /** HTTP routes served beside Slack's (the SNS endpoint, /metrics). */
  readonly routes: NonNullable<SlackAppOptions['routes']>;
  /** Counts shared charts and exports. */
  readonly metrics?: CapstanMetrics | undefined;
}

/** The delivery commands (stats, promote, history --csv) beside the others; plain history stays theirs. */
function withDelivery(
  base: CommandHandlers,
  delivery: (history: CommandHandlers['history']) => Partial<CommandHandlers>,
): CommandHandlers {
  return { ...base, ...delivery(base.history) };
}

/** The Bolt app, built last and whole: every listener and route has what it calls from the start. */
export function createSlackInput(o: SlackInputOptions): ReturnType<typeof createSlackApp> {
  const { config, store, clock, logger, useCases: u } = o;
  const { env, catalog } = config;
  // The Home tab's charts, served from Capstan's own /charts route (needs CAPSTAN_PUBLIC_URL to be shown).
  const charts = homeChartParts({ env, catalog, store, clock, directory: o.output.directory, logger });
  return createSlackApp({
    botToken: env.SLACK_BOT_TOKEN,
    signingSecret: env.SLACK_SIGNING_SECRET,
    appToken: env.SLACK_APP_TOKEN,
    apiUrl: env.SLACK_API_URL,
    port: env.PORT,
    host: o.host,
    logger,
    // A delivery Slack repeats (to this replica or another) is acknowledged and not acted on again.
    claimDelivery: o.claimDelivery,
    isReady: o.isReady,
    socketPingTimeoutMs: o.socketPingTimeoutMs,
    routes: [...o.routes, charts.route],
    dispatch: {
      catalog,
      status: o.status,
      handlers: withDelivery(
        commandHandlers({
          catalog,
          store,
          clock,
          deploy: u.deploy,
          locks: { catalog, store, directory: o.output.directory, clock },
          approvals: u.approvals,
          relay: u.relay,
        }),
        (history) =>
          deliveryHandlers({
            catalog,
            store,
            clock,
            deploy: u.deploy,
            chart: {
              files: o.output.files,
              renderer: createResvgRenderer(),
              chat: o.output.chat,
              logger,
              onShared: (r) => o.metrics?.fileShared('chart', r),
            },
            history,
            csv: { files: o.output.files, logger, onShared: (r) => o.metrics?.fileShared('csv', r) },
          }),
      ),
    },
    // The Home tab tells the time by Capstan's one clock.
    home: { clock, charts: charts.forViewer },
    interactions: (app) =>
      registerInteractions(app, { approvals: u.approvals, relay: u.relay, catalog, logger }),
  });
}
