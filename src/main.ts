import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createEcsAdapter } from './adapters/aws/ecs.js';
import { createEcrAdapter } from './adapters/aws/ecr.js';
import { createCloudFormationAdapter } from './adapters/aws/cloudformation.js';
import { createSlackChat, createSlackDirectory } from './adapters/slack/chat.js';
import { openSqliteStore } from './adapters/store/sqlite.js';
import { type Config, readConfig } from './config/readConfig.js';
import { createLogger, type Logger } from './lib/logger.js';
import { systemClock } from './ports/clock.js';
import { createSlackApp } from './slack/app.js';

export interface Capstan {
  /** The HTTP port Slack (and SNS) reach; in Socket Mode the port of the side listener. */
  readonly port: number;
  readonly config: Config;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly config: Config;
  readonly logger?: Logger | undefined;
  readonly host?: string | undefined;
}

/** The composition root: the only place that knows every part. */
export async function startCapstan(opts: StartOptions): Promise<Capstan> {
  const { config } = opts;
  const env = config.env;
  const logger = opts.logger ?? createLogger(env.LOG_LEVEL);
  const clock = systemClock;
  const store = openSqliteStore(config.sqlitePath);
  const ecs = createEcsAdapter();
  const registry = createEcrAdapter();
  const stacks = createCloudFormationAdapter();
  let ready = false;

  const app = createSlackApp({
    botToken: env.SLACK_BOT_TOKEN,
    signingSecret: env.SLACK_SIGNING_SECRET,
    appToken: env.SLACK_APP_TOKEN,
    apiUrl: env.SLACK_API_URL,
    port: env.PORT,
    logger,
    isReady: () => ready,
    dispatch: {
      catalog: config.catalog,
      clock,
      status: { catalog: config.catalog, ecs, stacks, store },
      handlers: {},
    },
  });
  const chat = createSlackChat(app.client);
  const directory = createSlackDirectory(app.client);
  void chat;
  void directory;
  void registry;

  const started = (await app.start(opts.host ? { port: env.PORT, host: opts.host } : env.PORT)) as
    Server | undefined;
  const port = started?.address ? (started.address() as AddressInfo).port : env.PORT;
  ready = true;
  logger.info('Capstan is ready', {
    port,
    mode: env.SLACK_APP_TOKEN ? 'socket' : 'http',
    apps: config.catalog.apps.length,
  });

  return {
    port,
    config,
    async stop() {
      ready = false;
      await app.stop();
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
