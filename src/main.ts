import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createCloudFormationAdapter } from './adapters/aws/cloudformation.js';
import { createCodePipelineAdapter } from './adapters/aws/codepipeline.js';
import { createEcrAdapter } from './adapters/aws/ecr.js';
import { createEcsAdapter } from './adapters/aws/ecs.js';
import { createSnsAdapter } from './adapters/aws/sns.js';
import { createSqsAdapter } from './adapters/aws/sqs.js';
import { createSlackChat, createSlackDirectory } from './adapters/slack/chat.js';
import { type CertFetcher, createSnsVerifier, httpsCertFetcher } from './adapters/sns/verify.js';
import { openSqliteStore } from './adapters/store/sqlite.js';
import { type Config, readConfig } from './config/readConfig.js';
import { findEnvironment } from './domain/catalog.js';
import { errorMessage } from './lib/errors.js';
import { createLogger, type Logger } from './lib/logger.js';
import { systemClock } from './ports/clock.js';
import { createSlackApp } from './slack/app.js';
import type { CommandHandlers } from './slack/dispatch.js';
import { commandHandlers } from './slack/handlers.js';
import { registerInteractions } from './slack/interactions.js';
import { createPipelineNotifier } from './slack/pipelineNotifier.js';
import { SlackProgress } from './slack/progress.js';
import { snsRoute } from './sns/httpRoute.js';
import type { InboundDeps } from './sns/receive.js';
import { SqsPoller } from './sns/sqsPoller.js';
import { type ApprovalDeps, expireRequest } from './usecases/approval.js';
import type { DeployDeps } from './usecases/deploy.js';
import type { RelayDeps } from './usecases/relay.js';
import type { ReleaseDeps } from './usecases/release.js';
import { cachedStatusReads } from './usecases/cachedReads.js';
import { resumeInFlight } from './usecases/resume.js';
import { StackTracker } from './usecases/rollout/stackTracker.js';
import { RolloutTracker } from './usecases/rollout/tracker.js';
import { needsReview, reviewMessage } from './views/release.js';

export interface Capstan {
  /** The HTTP port Slack (and SNS) reach; in Socket Mode the port of the side listener. */
  readonly port: number;
  readonly config: Config;
  readonly tracker: RolloutTracker;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly config: Config;
  readonly logger?: Logger | undefined;
  readonly host?: string | undefined;
  /** How SNS signing certificates are fetched (production: HTTPS, from SNS hosts only). */
  readonly fetchCert?: CertFetcher | undefined;
  /** Certificate URLs to trust besides SNS's own: only the sandbox passes one. */
  readonly trustSnsCertUrl?: ((url: string) => boolean) | undefined;
}

/** The composition root: the only place that knows every part. */
export async function startCapstan(opts: StartOptions): Promise<Capstan> {
  const { config } = opts;
  const { env, catalog } = config;
  const logger = opts.logger ?? createLogger(env.LOG_LEVEL);
  const clock = systemClock;
  const store = openSqliteStore(config.sqlitePath);
  const ecs = createEcsAdapter();
  const registry = createEcrAdapter();
  const stacks = createCloudFormationAdapter();
  const tracker = new RolloutTracker({ catalog, intervalMs: config.pollIntervalMs });
  const stackTracker = new StackTracker(config.pollIntervalMs);
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
    routes: [snsRoute(() => inbound.current)],
    dispatch: {
      catalog,
      status: { catalog, store, ...cachedStatusReads(ecs, stacks, config.statusCacheMs) },
      get handlers() {
        return handlers;
      },
    },
  });
  const chat = createSlackChat(app.client);
  const directory = createSlackDirectory(app.client);
  const notifier = new SlackProgress({
    chat,
    clock,
    logger,
    render: (d, now) => {
      const e = findEnvironment(catalog, d.app, d.env);
      return e && needsReview(d) ? reviewMessage(d, e, now) : undefined;
    },
  });
  const background = (work: Promise<unknown>) => {
    const tracked: Promise<unknown> = work
      .catch((e: unknown) => logger.error('background work failed', { error: errorMessage(e) }))
      .finally(() => inFlightWork.delete(tracked));
    inFlightWork.add(tracked);
  };
  const deployDeps: DeployDeps = {
    store,
    ecs,
    registry,
    directory,
    notifier,
    clock,
    logger,
    follow: (d) => tracker.follow(d),
  };
  const releaseDeps: ReleaseDeps = {
    store,
    stacks,
    registry,
    directory,
    notifier,
    clock,
    logger,
    follow: (d) => stackTracker.follow(d),
    changeSetPollMs: Math.min(config.pollIntervalMs, 2000),
    changeSetTimeoutMs: 10 * 60_000,
    background,
  };
  const approvalDeps: ApprovalDeps = { catalog, deploy: deployDeps, release: releaseDeps };
  const relayDeps: RelayDeps = {
    catalog,
    store,
    notifier: createPipelineNotifier(chat, clock),
    directory,
    pipelines: createCodePipelineAdapter(),
    clock,
    logger,
  };
  tracker.bind(deployDeps);
  stackTracker.bind(releaseDeps);
  stackTracker.onExpired = (d) => expireRequest(approvalDeps, d);
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
    store,
    subscriptions: createSnsAdapter(),
    relay: relayDeps,
    clock,
    logger,
  };
  const sqs = config.sns.sqsQueueUrl
    ? new SqsPoller(createSqsAdapter(config.sns.sqsQueueUrl), inbound.current, config.sns.trustRawSqsMessages)
    : undefined;

  const started = (await app.start(opts.host ? { port: env.PORT, host: opts.host } : env.PORT)) as
    Server | undefined;
  const port = started?.address ? (started.address() as AddressInfo).port : env.PORT;
  // Nothing a user started is lost: rollouts and change sets in flight before a restart are followed again.
  const resumed = await resumeInFlight(deployDeps, releaseDeps, catalog);
  tracker.start();
  stackTracker.start();
  sqs?.start();
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
      await tracker.stop();
      await stackTracker.stop();
      await sqs?.stop();
      await Promise.allSettled([...inFlightWork]);
      await notifier.flush();
      store.close();
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
