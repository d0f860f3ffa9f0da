import { createSqsAdapter } from '../adapters/aws/sqs.js';
import type { Config } from '../config/readConfig.js';
import { EventPoller } from '../events/poller.js';
import type { BackgroundWork } from '../lib/background.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { PollLoop } from '../lib/pollLoop.js';
import type { Sleep } from '../lib/sleep.js';
import type { CapstanMetrics } from '../metrics/metrics.js';
import type { InboundDeps } from '../sns/receive.js';
import { SqsPoller } from '../sns/sqsPoller.js';
import type { Targets } from './targets.js';
import { expireDue } from '../usecases/approval.js';
import type { UseCases } from './usecases.js';

export interface LoopParts {
  readonly config: Config;
  readonly useCases: UseCases;
  readonly targets: Targets;
  readonly inbound: InboundDeps;
  readonly metrics: CapstanMetrics;
  readonly logger: Logger;
  readonly background: BackgroundWork;
  readonly sleep: Sleep;
  /** How often requests waiting for approval are checked for expiry, at most. */
  readonly expiryCheckMs: number;
}

export interface Loops {
  start(): void;
  /** Ends every wait and long poll at once, then waits for the work each loop has in hand. */
  stop(): Promise<void>;
}

/** What runs on its own once Capstan is up: the rollout poll, the replica coordinator, request expiry, the queues. */
export function createLoops(p: LoopParts): Loops {
  const { config, useCases: u, logger, sleep } = p;
  const { catalog } = config;
  const failed = (what: string) => (e: unknown) => logger.error(what, { error: errorMessage(e) });
  const loops: { start(): void; stop(): Promise<void> }[] = [
    new PollLoop(
      Math.max(50, Math.floor(config.leaseMs / 3)),
      async () => void (await u.coordinator.tick()),
      failed('coordinating replicas failed'),
      sleep,
    ),
    new PollLoop(
      config.pollIntervalMs,
      () => {
        // Each poll group runs on its own: a slow one must not hold the next round for the others.
        p.background.run(u.tracker.tick());
        return Promise.resolve();
      },
      failed('rollout poll failed'),
      sleep,
    ),
    new PollLoop(
      Math.min(p.expiryCheckMs, config.pollIntervalMs * 6),
      () => expireDue(u.approvals),
      failed('expiring requests failed'),
      sleep,
    ),
  ];
  if (config.sns.sqsQueueUrl)
    loops.push(
      new SqsPoller(createSqsAdapter(config.sns.sqsQueueUrl), p.inbound, config.sns.trustRawSqsMessages, {
        sleep,
      }),
    );
  if (config.events && u.pace)
    loops.push(
      new EventPoller({
        queue: createSqsAdapter(config.events.sqsQueueUrl),
        strategies: [...new Set(catalog.apps.flatMap((a) => a.environments.map((e) => p.targets.for(e))))],
        poke: (groups) => u.tracker.poke(groups),
        pace: u.pace,
        logger,
        onMessage: (outcome) => p.metrics.event(outcome),
        sleep,
        clock: p.inbound.clock,
      }),
    );
  return {
    start: () => loops.forEach((l) => l.start()),
    async stop() {
      for (const l of loops) await l.stop();
    },
  };
}
