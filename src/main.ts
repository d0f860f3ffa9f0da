import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { onAwsError } from './adapters/aws/errors.js';
import type { CertFetcher } from './adapters/sns/verify.js';
import { createAwsPorts, warmAwsPorts } from './compose/aws.js';
import { createLoops } from './compose/loops.js';
import { createSlackInput } from './compose/slack.js';
import { createSlackOutput } from './compose/slackOutput.js';
import { createSnsInbound } from './compose/sns.js';
import { openStore, replicaName } from './compose/store.js';
import { createTargets } from './compose/targets.js';
import { createUseCases } from './compose/usecases.js';
import { type Config, readConfig } from './config/readConfig.js';
import { BackgroundWork } from './lib/background.js';
import { errorMessage } from './lib/errors.js';
import { createLogger, type Logger } from './lib/logger.js';
import { guardProcess } from './lib/processGuard.js';
import { type Sleep, heldSleep } from './lib/sleep.js';
import { CapstanMetrics } from './metrics/metrics.js';
import { metricsRoute } from './metrics/route.js';
import { type Clock, systemClock } from './ports/clock.js';
import { snsRoute } from './sns/httpRoute.js';
import { Leases } from './usecases/rollout/coordinator.js';
import type { RolloutTracker } from './usecases/rollout/tracker.js';
import { Watchlist } from './usecases/rollout/watchlist.js';
import { statusCache } from './usecases/status.js';

export interface Capstan {
  /** The HTTP port Slack (and SNS) reach; in Socket Mode the port of the side listener. */
  readonly port: number;
  readonly config: Config;
  readonly tracker: RolloutTracker;
  stop(): Promise<void>;
}

/** Every wait in Capstan, so tests and benchmarks can run without wall-clock delays. */
export interface Timing {
  /** Slack posts and edits per channel: about one a second is what Slack allows. */
  readonly slackPostIntervalMs: number;
  readonly slackUpdateIntervalMs: number;
  /** How often a change set being computed is looked at. */
  readonly changeSetPollMs: number;
  /** How often requests waiting for approval are checked for expiry. */
  readonly expiryCheckMs: number;
  /** The one sleep every wait goes through (loops, long polls, paced Slack calls, time limits); abortable. */
  readonly sleep: Sleep;
  /**
   * Socket Mode: how long a ping to Slack may go unanswered, and how long the SDK's client waits before
   * it reconnects (its own timer, which the sleep above cannot reach). The SDK's default.
   */
  readonly socketPingTimeoutMs: number;
}

export const DEFAULT_TIMING: Timing = {
  slackPostIntervalMs: 1000,
  slackUpdateIntervalMs: 1000,
  changeSetPollMs: 2000,
  expiryCheckMs: 30_000,
  sleep: heldSleep,
  socketPingTimeoutMs: 5_000,
};

export interface StartOptions {
  readonly config: Config;
  readonly logger?: Logger | undefined;
  readonly host?: string | undefined;
  /** How SNS signing certificates are fetched (production: HTTPS, from SNS hosts only). */
  readonly fetchCert?: CertFetcher | undefined;
  /** Certificate URLs to trust besides SNS's own: only the sandbox passes one. */
  readonly trustSnsCertUrl?: ((url: string) => boolean) | undefined;
  readonly timing?: Partial<Timing> | undefined;
  /** The one clock Capstan reads; tests pass the clock their fakes of AWS read too. */
  readonly clock?: Clock | undefined;
}

/**
 * The composition root, in one pass: the ledger and the AWS ports, then what posts to Slack, then
 * the use cases, then the Bolt app that listens and the loops that run on their own, then start.
 */
export async function startCapstan(opts: StartOptions): Promise<Capstan> {
  const { config } = opts;
  const { env, catalog } = config;
  const timing: Timing = { ...DEFAULT_TIMING, ...opts.timing };
  const { sleep } = timing;
  const logger = opts.logger ?? createLogger(env.LOG_LEVEL);
  const clock = opts.clock ?? systemClock;
  const now = () => clock.now();

  // Ports: the ledger, AWS, and this replica's share of the work.
  const store = await openStore(config, logger, now);
  const owner = replicaName(config);
  const aws = createAwsPorts({ now, pollIntervalMs: config.pollIntervalMs });
  // Aborted by stop(): waits on AWS (a change set being computed) end at once.
  const stopping = new AbortController();
  const targets = createTargets(aws, {
    now,
    signal: stopping.signal,
    changeSetPollMs: Math.min(config.pollIntervalMs, timing.changeSetPollMs),
  });
  const watchlist = new Watchlist();
  const leases = new Leases(store, clock, owner, config.leaseMs);
  const metrics = new CapstanMetrics({
    inFlight: () => watchlist.values(),
    leasesHeld: () => leases.held.size,
    now,
  });
  const stopCountingAwsErrors = onAwsError((code) => metrics.awsError(code));
  const background = new BackgroundWork((e) =>
    logger.error('background work failed', { error: errorMessage(e) }),
  );
  const slack = createSlackOutput({
    config,
    store,
    owner,
    clock,
    logger,
    metrics,
    sleep,
    postIntervalMs: timing.slackPostIntervalMs,
    updateIntervalMs: timing.slackUpdateIntervalMs,
  });

  // Use cases over those ports.
  const useCases = createUseCases({
    config,
    store,
    targets,
    aws,
    slack,
    clock,
    sleep,
    logger,
    watchlist,
    leases,
    metrics,
    background,
  });
  const { tracker, coordinator } = useCases;

  // What comes in: SNS (HTTP or SQS), AWS events (SQS), Slack.
  const inbound = createSnsInbound({
    config,
    store,
    aws,
    relay: useCases.relay,
    clock,
    logger,
    fetchCert: opts.fetchCert,
    trustCertUrl: opts.trustSnsCertUrl,
  });
  let ready = false;
  const app = createSlackInput({
    config,
    host: opts.host,
    store,
    clock,
    logger,
    output: slack,
    useCases,
    status: { catalog, store, targets, cache: statusCache(config.statusCacheMs), identity: aws.identity },
    claimDelivery: (key) => store.claimOnce(key, owner, clock.now()),
    isReady: () => ready,
    socketPingTimeoutMs: timing.socketPingTimeoutMs,
    metrics,
    routes: [
      snsRoute(inbound),
      metricsRoute(metrics, (e) => logger.warn('could not render metrics', { error: errorMessage(e) })),
    ],
  });
  const loops = createLoops({
    config,
    useCases,
    targets,
    inbound,
    metrics,
    logger,
    background,
    sleep,
    expiryCheckMs: timing.expiryCheckMs,
  });

  const started = (await app.start(opts.host ? { port: env.PORT, host: opts.host } : env.PORT)) as
    Server | undefined;
  const port = started?.address ? (started.address() as AddressInfo).port : env.PORT;
  // Nothing a user started is lost: rollouts and change sets in flight before a restart are followed again.
  const resumed = await coordinator.tick();
  loops.start();
  ready = true;
  background.run(
    warmAwsPorts(
      aws,
      catalog.apps.flatMap((a) => a.environments.map((e) => e.target.kind)),
    ),
  );
  logger.info('Capstan is ready', {
    port,
    mode: env.SLACK_APP_TOKEN ? 'socket' : 'http',
    apps: catalog.apps.length,
    ...resumed,
  });

  return {
    port,
    config,
    tracker,
    async stop() {
      ready = false;
      stopping.abort();
      await app.stop();
      await loops.stop();
      await background.settled();
      await slack.notifier.flush();
      await leases.releaseAll();
      store.close();
      stopCountingAwsErrors();
    },
  };
}

async function cli(): Promise<void> {
  const result = readConfig(process.env);
  if (!result.ok) {
    process.stderr.write(
      `Capstan cannot start; fix these and try again:\n${result.problems.map((p) => `  - ${p}`).join('\n')}\n`,
    );
    process.exit(2);
  }
  const logger = createLogger(result.config.env.LOG_LEVEL);
  let capstan: Capstan | undefined;
  let stopping = false;
  // Stops taking work, waits for what is in flight, drains Slack and hands the leases back, then exits.
  const shutdown = (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { why });
    if (!capstan) process.exit(code);
    capstan.stop().then(
      () => process.exit(code),
      () => process.exit(1),
    );
  };
  // Nothing from outside stops Capstan: a fault nobody caught is logged and serving goes on.
  guardProcess({ logger, onUnrecoverable: (why) => shutdown(why, 1) });
  try {
    capstan = await startCapstan({ config: result.config, logger, host: result.config.env.HOST });
    process.once('SIGTERM', () => shutdown('SIGTERM', 0));
    process.once('SIGINT', () => shutdown('SIGINT', 0));
  } catch (e) {
    logger.error('Capstan could not start', { error: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void cli();
}
