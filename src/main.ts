import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { onAwsError } from './adapters/aws/errors.js';
import { createAwsPorts, warmAwsPorts } from './compose/aws.js';
import { reportAlarmConfig } from './compose/alarmConfig.js';
import { createLoops } from './compose/loops.js';
import { createSlackInput } from './compose/slack.js';
import { createSlackOutput } from './compose/slackOutput.js';
import { createSnsInbound } from './compose/sns.js';
import { openStore, replicaName } from './compose/store.js';
import { type Capstan, DEFAULT_TIMING, type StartOptions, type Timing } from './compose/options.js';
import { createTargets } from './compose/targets.js';
import { createUseCases } from './compose/usecases.js';
import { readConfig } from './config/readConfig.js';
import { BackgroundWork } from './lib/background.js';
import { errorMessage } from './lib/errors.js';
import { createLogger, type Logger } from './lib/logger.js';
import { guardProcess } from './lib/processGuard.js';
import { CapstanMetrics } from './metrics/metrics.js';
import { metricsRoute } from './metrics/route.js';
import { METRICS_DAYS, currentFigures } from './usecases/stats/current.js';
import { type Clock, systemClock } from './ports/clock.js';
import { snsRoute } from './sns/httpRoute.js';
import { Leases } from './usecases/rollout/coordinator.js';
import { Watchlist } from './usecases/rollout/watchlist.js';
import { statusCache } from './usecases/status.js';

/** The ports, and what posts to Slack: the ledger, AWS, this replica's share of the work, metrics. */
export type { Capstan, StartOptions, Timing };
export { DEFAULT_TIMING };

async function createPorts(opts: StartOptions, timing: Timing, logger: Logger, clock: Clock) {
  const { config } = opts;
  const now = () => clock.now();
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
  const figures = currentFigures({ catalog: config.catalog, store, clock });
  const metrics = new CapstanMetrics({
    inFlight: () => watchlist.values(),
    leasesHeld: () => leases.held.size,
    now,
    delivery: {
      days: METRICS_DAYS,
      read: () =>
        figures().catch((e: unknown) => {
          logger.warn('could not read the delivery figures for /metrics', { error: errorMessage(e) });
          return undefined;
        }),
    },
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
    sleep: timing.sleep,
    postIntervalMs: timing.slackPostIntervalMs,
    updateIntervalMs: timing.slackUpdateIntervalMs,
    lapsedAt: (id) => leases.lapsedAt(id),
  });
  return {
    store,
    owner,
    aws,
    stopping,
    targets,
    watchlist,
    leases,
    metrics,
    stopCountingAwsErrors,
    background,
    slack,
  };
}

type Ports = Awaited<ReturnType<typeof createPorts>>;
type UseCases = ReturnType<typeof createUseCases>;

/** What comes in (SNS over HTTP or SQS, AWS events, Slack) and the loops that run on their own. */
function createInputs(
  opts: StartOptions,
  timing: Timing,
  p: Ports,
  useCases: UseCases,
  o: { logger: Logger; clock: Clock; isReady: () => boolean },
) {
  const { config } = opts;
  const { store, aws, targets, metrics, owner } = p;
  const { logger, clock } = o;
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
  const app = createSlackInput({
    config,
    host: opts.host,
    store,
    clock,
    logger,
    output: p.slack,
    useCases,
    status: {
      catalog: config.catalog,
      store,
      targets,
      cache: statusCache(config.statusCacheMs),
      identity: aws.identity,
    },
    claimDelivery: (key) => store.claimOnce(key, owner, clock.now()),
    isReady: o.isReady,
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
    background: p.background,
    sleep: timing.sleep,
    expiryCheckMs: timing.expiryCheckMs,
  });
  return { app, loops };
}

/**
 * The composition root, in one pass: the ledger and the AWS ports, then what posts to Slack, then
 * the use cases, then the Bolt app that listens and the loops that run on their own, then start.
 */
export async function startCapstan(opts: StartOptions): Promise<Capstan> {
  const { config } = opts;
  const { env, catalog } = config;
  const timing: Timing = { ...DEFAULT_TIMING, ...opts.timing };
  const logger = opts.logger ?? createLogger(env.LOG_LEVEL);
  const clock = opts.clock ?? systemClock;

  const p = await createPorts(opts, timing, logger, clock);
  const { store, aws, targets, slack, leases, background } = p;
  const useCases = createUseCases({
    config,
    store,
    targets,
    aws,
    slack,
    clock,
    sleep: timing.sleep,
    logger,
    watchlist: p.watchlist,
    leases,
    metrics: p.metrics,
    background,
  });
  let ready = false;
  const { app, loops } = createInputs(opts, timing, p, useCases, { logger, clock, isReady: () => ready });

  const started = (await app.start(opts.host ? { port: env.PORT, host: opts.host } : env.PORT)) as
    Server | undefined;
  const port = started?.address ? (started.address() as AddressInfo).port : env.PORT;
  // Nothing a user started is lost: rollouts and change sets in flight before a restart are followed again.
  const resumed = await useCases.coordinator.tick();
  loops.start();
  ready = true;
  background.run(
    warmAwsPorts(
      aws,
      catalog.apps.flatMap((a) => a.environments.map((e) => e.target.kind)),
    ),
  );
  background.run(reportAlarmConfig(aws.alarms, catalog, logger));
  logger.info('Capstan is ready', {
    port,
    mode: env.SLACK_APP_TOKEN ? 'socket' : 'http',
    apps: catalog.apps.length,
    ...resumed,
  });

  const stop = async () => {
    ready = false;
    await stopAll(p, app, loops);
  };
  return { port, config, tracker: useCases.tracker, stop };
}

/** Stops taking work, waits for what is in flight, drains Slack, hands the leases back and closes the ledger. */
async function stopAll(p: Ports, app: { stop(): Promise<unknown> }, loops: { stop(): Promise<unknown> }) {
  p.stopping.abort();
  await app.stop();
  await loops.stop();
  await p.background.settled();
  await p.slack.notifier.flush();
  await p.leases.releaseAll();
  p.store.close();
  p.stopCountingAwsErrors();
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
