import { createSlackChat, createSlackDirectory } from '../adapters/slack/chat.js';
import { createSlackFileSharing } from '../adapters/slack/files.js';
import type { Config } from '../config/readConfig.js';
import { findEnvironment } from '../domain/catalog.js';
import type { Logger } from '../lib/logger.js';
import type { Sleep } from '../lib/sleep.js';
import type { CapstanMetrics } from '../metrics/metrics.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import { createSlackClient } from '../slack/client.js';
import { OnceNotifier } from '../slack/once.js';
import { createPipelineNotifier } from '../slack/pipelineNotifier.js';
import { SlackProgress } from '../slack/progress.js';
import { needsReview, reviewMessage } from '../views/release.js';

export interface SlackOutputOptions {
  readonly config: Config;
  readonly store: Store;
  /** This replica's name among those sharing the ledger. */
  readonly owner: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: CapstanMetrics;
  readonly sleep: Sleep;
  readonly postIntervalMs: number;
  readonly updateIntervalMs: number;
  /** Since when this replica's lease of a deployment lapsed, if it did: what it recorded before is then stale. */
  readonly lapsedAt?: (id: string) => number | undefined;
}

/** What Capstan says in Slack goes out through these: built first, since the use cases post through them. */
export function createSlackOutput(o: SlackOutputOptions) {
  const { config, store, clock, logger, metrics } = o;
  const { env, catalog } = config;
  const client = createSlackClient({ botToken: env.SLACK_BOT_TOKEN, apiUrl: env.SLACK_API_URL, logger });
  const chat = createSlackChat(client);
  const directory = createSlackDirectory(client);
  const progress = new SlackProgress({
    chat,
    clock,
    logger,
    sleep: o.sleep,
    postIntervalMs: o.postIntervalMs,
    updateIntervalMs: o.updateIntervalMs,
    // Approver groups are mentioned (and so notified) while a review waits.
    groups: directory,
    render: (d, at, groupIds) => {
      const e = findEnvironment(catalog, d.app, d.env);
      return e && needsReview(d, e) ? reviewMessage(d, e, at, groupIds) : undefined;
    },
    onError: (method, e) => metrics.slackError(method, e),
    onOutcomeShown: (d) => metrics.outcomeShown(d.id),
    // Only a shared (DynamoDB) ledger lets another replica take work over; one SQLite process takes its own back.
    lapsedAt: config.storage.kind === 'sqlite' ? undefined : o.lapsedAt,
  });
  // Replicas share one ledger: whichever sees an event, one of them reports it.
  const notifier =
    config.storage.kind === 'sqlite'
      ? progress
      : new OnceNotifier(progress, { store, owner: o.owner, clock, logger });
  return {
    chat,
    directory,
    notifier,
    pipelineNotifier: createPipelineNotifier(chat, clock, directory),
    files: createSlackFileSharing(client),
  };
}

export type SlackOutput = ReturnType<typeof createSlackOutput>;
