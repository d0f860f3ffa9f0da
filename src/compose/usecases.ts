import type { Config } from '../config/readConfig.js';
import { findEnvironment } from '../domain/catalog.js';
import { EventPace } from '../events/pace.js';
import type { BackgroundWork } from '../lib/background.js';
import type { Logger } from '../lib/logger.js';
import type { Sleep } from '../lib/sleep.js';
import type { CapstanMetrics } from '../metrics/metrics.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import type { Targets } from './targets.js';
import type { ApprovalDeps } from '../usecases/approval.js';
import type { DeployDeps } from '../usecases/deps.js';
import type { RelayDeps } from '../usecases/relay.js';
import { Coordinator, type Leases } from '../usecases/rollout/coordinator.js';
import { RolloutTracker } from '../usecases/rollout/tracker.js';
import type { Watchlist } from '../usecases/rollout/watchlist.js';
import type { AwsPorts } from './aws.js';
import type { SlackOutput } from './slackOutput.js';

export interface UseCaseParts {
  readonly config: Config;
  readonly store: Store;
  readonly targets: Targets;
  readonly aws: AwsPorts;
  readonly slack: SlackOutput;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly logger: Logger;
  readonly watchlist: Watchlist;
  readonly leases: Leases;
  readonly metrics: CapstanMetrics;
  readonly background: BackgroundWork;
}

/** The use cases over the ports, and the rollout tracker and replica coordinator that carry deployments on. */
export function createUseCases(p: UseCaseParts) {
  const { config, store, targets, clock, logger, watchlist, leases, metrics } = p;
  const { catalog } = config;
  const deploy: DeployDeps = {
    store,
    targets,
    directory: p.slack.directory,
    notifier: p.slack.notifier,
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
    background: p.background.run,
    identity: p.aws.identity,
    catalog,
    onPromotionGate: (result) => metrics.promotion(result),
    alarms: p.aws.alarms,
  };
  // With AWS events flowing, a rollout is looked at when one arrives; polling is the slower safety net.
  const pace = config.events ? new EventPace({ intervalMs: config.pollIntervalMs, clock }) : undefined;
  const tracker = new RolloutTracker(deploy, {
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
    sleep: p.sleep,
    alarms: p.aws.alarms,
  });
  const approvals: ApprovalDeps = { catalog, deploy };
  const relay: RelayDeps = {
    catalog,
    store,
    notifier: p.slack.pipelineNotifier,
    directory: p.slack.directory,
    pipelines: p.aws.pipelines,
    clock,
    logger,
  };
  const coordinator = new Coordinator(deploy, {
    catalog,
    watchlist,
    leases,
    showTakenOver: config.storage.kind !== 'sqlite',
  });
  return { deploy, approvals, relay, tracker, coordinator, pace };
}

export type UseCases = ReturnType<typeof createUseCases>;
