import type { Config } from '../config/readConfig.js';
import type { CertFetcher } from '../adapters/sns/verify.js';
import type { Logger } from '../lib/logger.js';
import { type Sleep, heldSleep } from '../lib/sleep.js';
import type { Clock } from '../ports/clock.js';
import type { RolloutTracker } from '../usecases/rollout/tracker.js';

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
