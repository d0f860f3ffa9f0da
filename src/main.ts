import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createCloudFormationAdapter } from './adapters/aws/cloudformation.js';
import { createCodePipelineAdapter } from './adapters/aws/codepipeline.js';
import { createEcrAdapter } from './adapters/aws/ecr.js';
import { createBeanstalkAdapter } from './adapters/aws/beanstalk.js';
import { createCodeDeployAdapter } from './adapters/aws/codedeploy.js';
import { createEcsAdapter } from './adapters/aws/ecs.js';
import { createAwsIdentity } from './adapters/aws/identity.js';
import { createS3Adapter } from './adapters/aws/s3.js';
import { createSnsAdapter } from './adapters/aws/sns.js';
import { createSqsAdapter } from './adapters/aws/sqs.js';
import { onAwsError } from './adapters/aws/errors.js';
import { EventPace } from './events/pace.js';
import { EventPoller } from './events/poller.js';
import { CapstanMetrics } from './metrics/metrics.js';
import { metricsRoute } from './metrics/route.js';
import { createSlackChat, createSlackDirectory } from './adapters/slack/chat.js';
import { type CertFetcher, createSnsVerifier, httpsCertFetcher } from './adapters/sns/verify.js';
import { connectDynamoStore } from './adapters/store/dynamodb.js';
import { openSqliteStore } from './adapters/store/sqlite.js';
import { type Config, readConfig } from './config/readConfig.js';
import { findEnvironment } from './domain/catalog.js';
import { errorMessage } from './lib/errors.js';
import { createLogger, type Logger } from './lib/logger.js';
import { type Clock, systemClock } from './ports/clock.js';
import type { Store } from './ports/store.js';
import { createSlackApp } from './slack/app.js';
import type { CommandHandlers } from './slack/dispatch.js';
import { commandHandlers } from './slack/handlers.js';
import { registerInteractions } from './slack/interactions.js';
import { createPipelineNotifier } from './slack/pipelineNotifier.js';
import { OnceNotifier } from './slack/once.js';
import { SlackProgress } from './slack/progress.js';
import { snsRoute } from './sns/httpRoute.js';
import type { InboundDeps } from './sns/receive.js';
import { SqsPoller } from './sns/sqsPoller.js';
import { PollLoop } from './lib/pollLoop.js';
import { createBeanstalkStrategy } from './targets/beanstalk.js';
import { createStackStrategy } from './targets/cloudformation.js';
import { createCodeDeployStrategy } from './targets/codedeploy.js';
import { createEcsStrategy } from './targets/ecs.js';
import { createTargetRegistry } from './targets/registry.js';
import { type ApprovalDeps, expireDue } from './usecases/approval.js';
import type { DeployDeps } from './usecases/deps.js';
import type { RelayDeps } from './usecases/relay.js';
import { Coordinator, Leases } from './usecases/rollout/coordinator.js';
import { RolloutTracker } from './usecases/rollout/tracker.js';
import { Watchlist } from './usecases/rollout/watchlist.js';
import { statusCache } from './usecases/status.js';
import { needsReview, reviewMessage } from './views/release.js';

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
  readonly sleep: (ms: number) => Promise<void>;
}

export const DEFAULT_TIMING: Timing = {
  slackPostIntervalMs: 1000,
  slackUpdateIntervalMs: 1000,
  changeSetPollMs: 2000,
  expiryCheckMs: 30_000,
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
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

/** The composition root: the only place that knows every part. */
export async function startCapstan(opts: StartOptions): Promise<Capstan> {
  const { config } = opts;
  const { env, catalog } = config;
  const timing: Timing = { ...DEFAULT_TIMING, ...opts.timing };
  const logger = opts.logger ?? createLogger(env.LOG_LEVEL);
  const clock = opts.clock ?? systemClock;
  const now = () => clock.now();
  const store = await openStore(config, logger, now);
  const ecs = createEcsAdapter();
  const registry = createEcrAdapter();
  const stacks = createCloudFormationAdapter();
  const objects = createS3Adapter();
  // An environment's roleArn is assumed for the person behind each call; the adapters' clients follow.
  const identity = createAwsIdentity();
  const targets = createTargetRegistry({
    beanstalk: createBeanstalkStrategy({ beanstalk: createBeanstalkAdapter(), objects, registry, now }),
    codedeploy: createCodeDeployStrategy({
      codedeploy: createCodeDeployAdapter(),
      objects,
      registry,
      ecs,
      now,
    }),
    ecs: createEcsStrategy({ ecs, registry, now }),
    cloudformation: createStackStrategy({
      stacks,
      registry,
      now,
      sleep: timing.sleep,
      changeSetPollMs: Math.min(config.pollIntervalMs, timing.changeSetPollMs),
      changeSetTimeoutMs: 10 * 60_000,
    }),
  });
  const watchlist = new Watchlist();
  // One process on SQLite keeps its name across restarts; replicas on DynamoDB each have their own.
  const owner =
    config.storage.kind === 'sqlite' ? 'local' : `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const leases = new Leases(store, clock, owner, config.leaseMs);
  const metrics = new CapstanMetrics({
    inFlight: () => watchlist.values(),
    leasesHeld: () => leases.held.size,
    now,
  });
  const stopCountingAwsErrors = onAwsError((code) => metrics.awsError(code));
  const inFlightWork = new Set<Promise<unknown>>();
  let ready = false;

  // Bolt owns the Web API client the chat adapter needs, so the parts that post are bound after it exists.
  let handlers: CommandHandlers = {};
  const inbound: { current?: InboundDeps } = {};
  const app = createSlackApp({
    botToken: env.SLACK_BOT_TOKEN,
    signingSecret: env.SLACK_SIGNING_SECRET,
    appToken: env.SLACK_APP_TOKEN,
    apiUrl: env.SLACK_API_URL,
    port: env.PORT,
    logger,
    isReady: () => ready,
    routes: [
      snsRoute(() => inbound.current),
      metricsRoute(metrics, (e) => logger.warn('could not render metrics', { error: errorMessage(e) })),
    ],
    dispatch: {
      catalog,
      status: { catalog, store, targets, cache: statusCache(config.statusCacheMs), identity },
      get handlers() {
        return handlers;
      },
    },
  });
  const chat = createSlackChat(app.client);
  const directory = createSlackDirectory(app.client);
  const progress = new SlackProgress({
    chat,
    clock,
    logger,
    sleep: timing.sleep,
    postIntervalMs: timing.slackPostIntervalMs,
    updateIntervalMs: timing.slackUpdateIntervalMs,
    // Approver groups are mentioned (and so notified) while a review waits.
    groups: directory,
    render: (d, at, groupIds) => {
      const e = findEnvironment(catalog, d.app, d.env);
      return e && needsReview(d, e) ? reviewMessage(d, e, at, groupIds) : undefined;
    },
    onError: (method, e) => metrics.slackError(method, e),
    onOutcomeShown: (d) => metrics.outcomeShown(d.id),
  });
  // Replicas share one ledger: whichever sees an event, one of them reports it.
  const notifier =
    config.storage.kind === 'sqlite' ? progress : new OnceNotifier(progress, { store, owner, clock, logger });
  const background = (work: Promise<unknown>) => {
    const tracked: Promise<unknown> = work
      .catch((e: unknown) => logger.error('background work failed', { error: errorMessage(e) }))
      .finally(() => inFlightWork.delete(tracked));
    inFlightWork.add(tracked);
  };
  const deployDeps: DeployDeps = {
    store,
    targets,
    directory,
    notifier,
    clock,
    logger,
    // Only the replica that owns a deployment follows it; the owner's coordinator picks up the rest.
    follow: (d) => {
      if (leases.holds(d.id)) watchlist.add(d);
      else
        void leases.own(d.id).then(
          (mine) => mine && watchlist.add(d),
          () => undefined,
        );
    },
    own: (d) => leases.own(d.id),
    background,
    identity,
  };
  // With AWS events flowing, a rollout is looked at when one arrives; polling is the slower safety net.
  const pace = config.events ? new EventPace({ intervalMs: config.pollIntervalMs, clock }) : undefined;
  const tracker = new RolloutTracker(deployDeps, {
    catalog,
    watchlist,
    intervalMs: config.pollIntervalMs,
    maxBackoffMs: 60_000,
    stillOwns: (id) => leases.renew(id),
    groupIntervalMs: pace?.intervalFor,
    onFinished: (d, at) => {
      const e = findEnvironment(catalog, d.app, d.env);
      metrics.rolloutFinished(d.id, e ? targets.for(e).label : 'unknown', d.state, at);
    },
  });
  const approvalDeps: ApprovalDeps = { catalog, deploy: deployDeps };
  const relayDeps: RelayDeps = {
    catalog,
    store,
    notifier: createPipelineNotifier(chat, clock, directory),
    directory,
    pipelines: createCodePipelineAdapter(),
    clock,
    logger,
  };
  const pollLoop = new PollLoop(
    config.pollIntervalMs,
    () => {
      // Each poll group runs on its own: a slow one must not hold the next round for the others.
      background(tracker.tick());
      return Promise.resolve();
    },
    (e) => logger.error('rollout poll failed', { error: errorMessage(e) }),
  );
  const coordinator = new Coordinator(deployDeps, { catalog, watchlist, leases });
  const coordinatorLoop = new PollLoop(
    Math.max(50, Math.floor(config.leaseMs / 3)),
    async () => void (await coordinator.tick()),
    (e) => logger.error('coordinating replicas failed', { error: errorMessage(e) }),
  );
  const expiryLoop = new PollLoop(
    Math.min(timing.expiryCheckMs, config.pollIntervalMs * 6),
    () => expireDue(approvalDeps),
    (e) => logger.error('expiring requests failed', { error: errorMessage(e) }),
  );
  handlers = commandHandlers({
    catalog,
    store,
    clock,
    deploy: deployDeps,
    locks: { catalog, store, directory, clock },
    approvals: approvalDeps,
    relay: relayDeps,
  });
  registerInteractions(app, { approvals: approvalDeps, relay: relayDeps, catalog, logger });
  inbound.current = {
    verify: createSnsVerifier({
      fetchCert: opts.fetchCert ?? httpsCertFetcher(),
      trustCertUrl: opts.trustSnsCertUrl,
    }),
    topics: config.sns.topics,
    maxMessageAgeMs: config.sns.maxMessageAge,
    store,
    subscriptions: createSnsAdapter(),
    relay: relayDeps,
    clock,
    logger,
  };
  const sqs = config.sns.sqsQueueUrl
    ? new SqsPoller(createSqsAdapter(config.sns.sqsQueueUrl), inbound.current, config.sns.trustRawSqsMessages)
    : undefined;
  const events =
    config.events && pace
      ? new EventPoller({
          queue: createSqsAdapter(config.events.sqsQueueUrl),
          strategies: [...new Set(catalog.apps.flatMap((a) => a.environments.map((e) => targets.for(e))))],
          poke: (groups) => tracker.poke(groups),
          pace,
          logger,
          onMessage: (outcome) => metrics.event(outcome),
        })
      : undefined;

  const started = (await app.start(opts.host ? { port: env.PORT, host: opts.host } : env.PORT)) as
    Server | undefined;
  const port = started?.address ? (started.address() as AddressInfo).port : env.PORT;
  // Nothing a user started is lost: rollouts and change sets in flight before a restart are followed again.
  const resumed = await coordinator.tick();
  coordinatorLoop.start();
  pollLoop.start();
  expiryLoop.start();
  sqs?.start();
  events?.start();
  ready = true;
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
      await app.stop();
      await coordinatorLoop.stop();
      await pollLoop.stop();
      await expiryLoop.stop();
      await sqs?.stop();
      await events?.stop();
      await Promise.allSettled([...inFlightWork]);
      await notifier.flush();
      await leases.releaseAll();
      store.close();
      stopCountingAwsErrors();
    },
  };
}

async function openStore(config: Config, logger: Logger, now: () => number): Promise<Store> {
  if (config.storage.kind === 'sqlite') return openSqliteStore(config.storage.path, { now });
  return connectDynamoStore({ ...config.storage, warn: (m, f) => logger.warn(m, f) });
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
  try {
    const capstan = await startCapstan({ config: result.config, logger, host: result.config.env.HOST });
    const shutdown = (signal: string) => {
      logger.info('stopping', { signal });
      capstan.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  } catch (e) {
    logger.error('Capstan could not start', { error: e instanceof Error ? e.message : String(e) });
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void cli();
}
